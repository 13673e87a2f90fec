import platform
import sys

from hello import __version__


def main() -> int:
    name = sys.argv[1] if len(sys.argv) > 1 else "world"
    print(f"Hello, {name}! (hello {__version__}, Python {platform.python_version()}, argv[0]={sys.argv[0]})")
    return 0
