# The file systems of a disk layout, as nixos-via creates them.
{
  fileSystems."/" = {
    device = "/dev/disk/by-label/nixos";
    fsType = "xfs";
    options = [ "noatime" ];
  };
  fileSystems."/boot" = {
    device = "/dev/disk/by-label/boot";
    fsType = "ext4";
    options = [ "defaults" ];
  };
}
