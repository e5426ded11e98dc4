// The Neo4j GraphQL Library over the hub's graph, as bench/peer.py measures it (issue 14):
// Apollo Server's standalone HTTP server, @neo4j/graphql 7, neo4j-driver 6 (driver 5 leaves
// Nagle's algorithm on, which adds ~45 ms to every request).
//
//   node server.mjs BOLT_URI     prints "listening PORT" once it answers, on 127.0.0.1
//
// With PEER_CAPTURE=FILE, the statements the library sends are also written to FILE (one
// JSON object a line: {query, params}), so the benchmark can PROFILE exactly those.
import { appendFileSync } from "node:fs";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { Neo4jGraphQL } from "@neo4j/graphql";
import neo4j from "neo4j-driver";

// The hub's graph model (graph/model.py, docs: DESIGN.md) as the library's type
// definitions: the nodes and relationships a customer-360 reads. Times are epoch ms
// (BigInt), as stored; the library has no scalar that turns them into dates.
const typeDefs = /* GraphQL */ `
  type Customer @node {
    id: ID!
    name: String
    email: String
    phone: String
    gender: String
    birth_year: Int
    city: String
    region: String
    country: String
    identities: [SocialAccount!]!
      @relationship(type: "HAS_ACCOUNT", direction: OUT, properties: "HasAccount")
    tags: [Tag!]! @relationship(type: "TAGGED", direction: OUT, properties: "Tagged")
    consents: [Brand!]! @relationship(type: "CONSENTED", direction: OUT, properties: "Consented")
    purchases: [Purchase!]! @relationship(type: "MADE", direction: OUT)
    complaints: [Complaint!]! @relationship(type: "FILED", direction: OUT)
  }
  type HasAccount @relationshipProperties {
    method: String
    confidence: Float
    linked_at: BigInt
  }
  type Tagged @relationshipProperties {
    weight: Float
    source: String
    at: BigInt
  }
  type Consented @relationshipProperties {
    purposes: [String!]
    granted_at: BigInt
    withdrawn_at: BigInt
    source: String
  }
  type SocialAccount @node {
    id: ID!
    platform: String
    handle: String
    interactions: [Post!]!
      @relationship(type: "INTERACTED", direction: OUT, properties: "Interacted")
  }
  type Interacted @relationshipProperties {
    kind: String
    at: BigInt
    text: String
  }
  type Post @node {
    id: ID!
    at: BigInt
    platform: String
    content_type: String
    text: String
  }
  type Tag @node {
    id: ID!
    name: String
    category: String
  }
  type Brand @node {
    id: ID!
    name: String
  }
  type Product @node {
    id: ID!
    name: String
  }
  type Purchase @node {
    id: ID!
    at: BigInt
    channel: String
    currency: String
    total: Float
    brand: [Brand!]! @relationship(type: "AT", direction: OUT)
    items: [Product!]! @relationship(type: "CONTAINS", direction: OUT, properties: "Contains")
  }
  type Contains @relationshipProperties {
    quantity: Int
    unit_price: Float
  }
  type Complaint @node {
    id: ID!
    status: String
    category: String
    channel: String
    opened_at: BigInt
    resolved_at: BigInt
  }
`;

const uri = process.argv[2];
if (!uri) {
  console.error("usage: node server.mjs BOLT_URI");
  process.exit(2);
}
const driver = neo4j.driver(uri);
const capture = process.env.PEER_CAPTURE;

// The library runs a statement on `executionContext.run()` when it is given neither a
// driver nor a session: this one writes the statement down, then runs it on the driver.
const capturing = {
  run(query, params) {
    const plain = JSON.parse(
      JSON.stringify(params, (_, v) => (neo4j.isInt(v) ? v.toNumber() : v)),
    );
    appendFileSync(capture, JSON.stringify({ query, params: plain }) + "\n");
    return driver.executeQuery(query, params, { routing: neo4j.routing.READ, database: "neo4j" });
  },
};

const schema = await new Neo4jGraphQL({ typeDefs, driver }).getSchema();
const server = new ApolloServer({ schema });
const { url } = await startStandaloneServer(server, {
  listen: { host: "127.0.0.1", port: 0 },
  context: async () => ({ executionContext: capture ? capturing : driver }),
});
console.log(`listening ${new URL(url).port}`);
