# The file systems of a disk layout, as nixos-via creates them.
{
  fileSystems."/" = {
    device = "/dev/md/root";
    fsType = "ext4";
    options = [ "defaults" ];
  };
  fileSystems."/boot" = {
    device = "/dev/md/boot";
    fsType = "vfat";
    options = [ "umask=0077" ];
  };
  boot.swraid.enable = true;
}
