"""`python -m neuronet`: the `neuronet` command line."""

import sys

from neuronet.cli import main

if __name__ == "__main__":
    sys.exit(main())
