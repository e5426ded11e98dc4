"""`make bench`: run every benchmark."""

from bench import crash, customer360, healthz, identity, ingest, read, write

customer360.main()
ingest.main()
read.main()
crash.main()
healthz.main()
identity.main()
write.main()
