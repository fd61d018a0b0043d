#!/usr/bin/env python
from langnghe.__main__ import main

if __name__ == "__main__":
    main()
