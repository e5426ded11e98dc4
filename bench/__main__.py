"""`make bench`: run every benchmark."""

from bench import crash, customer360, ingest, read

customer360.main()
ingest.main()
read.main()
crash.main()
