"""What the idle_*connections.py scripts share: a server's RSS growth per
idle connection, for connections opened by the script's `open_one`."""
import time


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def measure(pid, count, open_one, close=lambda held: held.close()):
    """Opens `count` connections with `open_one()`, holds them a second,
    prints the RSS growth of process `pid` per connection, closes them."""
    before = rss_kib(pid)
    held = [open_one() for _ in range(count)]
    time.sleep(1)
    after = rss_kib(pid)
    print(f"{(after - before) * 1024 / count:.0f}")
    for connection in held:
        close(connection)
