"""`make bench`: run every benchmark."""

from bench import crash, customer360, healthz, identity, ingest, predict, predict_graph, read

customer360.main()
ingest.main()
read.main()
crash.main()
healthz.main()
identity.main()
predict.main()
predict_graph.main()
