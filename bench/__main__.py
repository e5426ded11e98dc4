"""`make bench`: run every benchmark."""

from bench import customer360, healthz, ingest, read

customer360.main()
ingest.main()
read.main()
healthz.main()
