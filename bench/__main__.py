"""`make bench`: run every benchmark."""

from bench import customer360, identity, ingest, read

customer360.main()
ingest.main()
read.main()
identity.main()
