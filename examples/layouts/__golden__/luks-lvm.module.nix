# The file systems of a disk layout, as nixos-via creates them.
{
  fileSystems."/" = {
    device = "/dev/pool/root";
    fsType = "ext4";
    options = [ "defaults" ];
  };
  fileSystems."/boot" = {
    device = "/dev/disk/by-partlabel/disk-main-ESP";
    fsType = "vfat";
    options = [ "umask=0077" ];
  };
  swapDevices = [
    {
      device = "/dev/pool/swap";
    }
  ];
  boot.initrd.luks.devices."crypted" = {
    device = "/dev/disk/by-partlabel/disk-main-luks";
    allowDiscards = true;
  };
  boot.initrd.kernelModules = [ "dm-snapshot" ];
}
