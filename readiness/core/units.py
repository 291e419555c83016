"""Units as the plan means them: installed memory in GiB ("8G" of RAM is 8 GiB), disks in
decimal GB ("200G" on the box is 200×10⁹ bytes)."""

GIB = 2**30
GB = 10**9


def gib(n: float) -> str:
    return f"{n / GIB:.1f} GiB"


def gb(n: float) -> str:
    return f"{n / GB:.0f} GB" if n >= 10 * GB else f"{n / GB:.1f} GB"
