# The file systems of a disk layout, as nixos-via creates them.
{
  fileSystems."/" = {
    device = "/dev/disk/by-partlabel/disk-a-root";
    fsType = "ext4";
    options = [ "defaults" ];
  };
  fileSystems."/boot" = {
    device = "/dev/disk/by-partlabel/disk-a-ESP";
    fsType = "vfat";
    options = [ "umask=0077" ];
  };
  fileSystems."/srv/data" = {
    device = "/dev/disk/by-partlabel/disk-b-data";
    fsType = "xfs";
    options = [ "defaults" ];
  };
  fileSystems."/tmp" = {
    device = "none";
    fsType = "tmpfs";
    options = [ "size=1G" "mode=1777" ];
  };
}
