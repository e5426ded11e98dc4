"""`make bench`: run every benchmark."""

from bench import (
    audiences,
    crash,
    customer360,
    exact_links,
    executor,
    fraud,
    healthz,
    identity,
    ingest,
    peer,
    predict,
    predict_graph,
    read,
    recommend,
    write,
)

customer360.main()
ingest.main()
read.main()
executor.main()
peer.main()
crash.main()
healthz.main()
exact_links.main()
identity.main()
predict.main()
predict_graph.main()
fraud.main()
recommend.main()
write.main()
audiences.main()
