"""`make bench`: run every benchmark."""

from bench import customer360

customer360.main()
