#!/usr/bin/env python
"""Same as the `guanxi` console script."""

from guanxi.cli import main

if __name__ == "__main__":
    main()
