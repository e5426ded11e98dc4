"""`make bench`: run every benchmark."""

from bench import customer360, ingest

customer360.main()
ingest.main()
