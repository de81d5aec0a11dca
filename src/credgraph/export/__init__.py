"""Getting data out: whole-store dumps and (per target module) registry-shaped documents."""
