'use strict';
// BuscaClient: a small promise-based wrapper over the busca.v1 gRPC API, loaded at run time from
// the same .proto files the server is built from (schemas/proto), with @grpc/proto-loader.
//
//   const { BuscaClient } = require('./client');
//   const client = new BuscaClient('127.0.0.1:50051');
//   const res = await client.search({ query: 'pão de queijo', collections: ['products'], limit: 10 });
//   // res.hits: [{ collection, id, score, fields }], res.totalHits, res.generations
//
// 64-bit integers arrive as strings (longs: String) so nothing loses precision; the helpers below
// convert the counts a marketplace API needs to Numbers.
const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const PROTO_ROOT = process.env.BUSCA_PROTO_ROOT || path.resolve(__dirname, '../../schemas/proto');

const LOADER_OPTIONS = {
  keepCase: false,     // camelCase field names in JS (total_hits -> totalHits)
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [PROTO_ROOT],
};

function loadPackage() {
  const definition = protoLoader.loadSync(
    ['busca/v1/search.proto', 'grpc/health/v1/health.proto'], LOADER_OPTIONS);
  return grpc.loadPackageDefinition(definition);
}

function fieldValue(v) {
  switch (v.kind) {
    case 'text': return v.text;
    case 'keywords': return v.keywords.values;
    case 'number': return v.number;        // exact decimal text, e.g. "12.50"
    case 'boolean': return v.boolean;
    case 'timestamp': return v.timestamp;  // ISO-8601 UTC
    default: return null;
  }
}

class BuscaClient {
  // target: "HOST:PORT"; options.tls: use TLS with the system roots; options.adminToken for admin calls.
  constructor(target, options = {}) {
    const pkg = loadPackage();
    const creds = options.tls ? grpc.credentials.createSsl() : grpc.credentials.createInsecure();
    this.search_ = new pkg.busca.v1.SearchService(target, creds);
    this.admin_ = new pkg.busca.v1.AdminService(target, creds);
    this.health_ = new pkg.grpc.health.v1.Health(target, creds);
    this.adminToken_ = options.adminToken || process.env.SEARCH_ADMIN_TOKEN || '';
    this.timeoutMs_ = options.timeoutMs || 2000;
  }

  call_(client, method, request, metadata) {
    return new Promise((resolve, reject) => {
      const deadline = new Date(Date.now() + this.timeoutMs_);
      client[method](request, metadata || new grpc.Metadata(), { deadline }, (err, response) => {
        if (err) {
          // err.code is a grpc.status number; err.details the server's reason.
          const e = new Error(`${method}: ${grpc.status[err.code] || err.code}: ${err.details}`);
          e.code = err.code;
          e.codeName = grpc.status[err.code];
          reject(e);
        } else {
          resolve(response);
        }
      });
    });
  }

  // request: { query, collections, filters, sort: {field, order}, offset, limit, returnStored, ... }
  async search(request) {
    const res = await this.call_(this.search_, 'Search', request);
    return {
      totalHits: Number(res.totalHits),
      totalIsLowerBound: res.totalIsLowerBound,
      tookMicros: res.tookMicros,
      cached: res.cached,
      generations: res.generations.map((g) => ({ collection: g.collection, generation: Number(g.generation) })),
      hits: res.hits.map((h) => {
        const fields = {};
        for (const [name, v] of Object.entries(h.fields || {})) fields[name] = fieldValue(v);
        return { collection: h.collection, id: h.id, score: h.score, fields };
      }),
    };
  }

  async suggest(text, collections = [], limit = 5) {
    const res = await this.call_(this.search_, 'Suggest', { text, collections, limit });
    return res.suggestions.map((s) => ({
      collection: s.collection, word: s.word, completion: s.completion, docFreq: Number(s.docFreq),
    }));
  }

  async stats() {
    return this.call_(this.search_, 'GetStats', {});
  }

  // Returns "SERVING" | "NOT_SERVING" | ... for the given service ("" = the whole server).
  async health(service = 'busca.v1.SearchService') {
    const res = await this.call_(this.health_, 'Check', { service });
    return res.status;
  }

  async reload(collections = []) {
    const md = new grpc.Metadata();
    md.set('authorization', `Bearer ${this.adminToken_}`);
    return this.call_(this.admin_, 'Reload', { collections }, md);
  }

  close() {
    for (const c of [this.search_, this.admin_, this.health_]) c.close();
  }
}

module.exports = { BuscaClient, loadPackage, PROTO_ROOT };
