"""`make bench`: run every benchmark."""

from bench import crash, customer360, exact_links, healthz, identity, ingest, predict, read

customer360.main()
ingest.main()
read.main()
crash.main()
healthz.main()
exact_links.main()
identity.main()
predict.main()
