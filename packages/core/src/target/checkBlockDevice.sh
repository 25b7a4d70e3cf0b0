block_device_facts "$1"
