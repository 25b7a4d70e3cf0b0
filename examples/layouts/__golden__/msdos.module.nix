# The file systems of a disk layout, as nixos-via creates them.
{
  fileSystems."/" = {
    device = "/dev/disk/by-label/nixos";
    fsType = "ext4";
    options = [ "defaults" ];
  };
  swapDevices = [
    {
      device = "/dev/disk/by-label/swap";
    }
  ];
}
