#!/usr/bin/env node
'use strict';
// Example: what the marketplace API does for GET /api/v1/marketplace/search?q=pasta.
//
//   node example.js --target 127.0.0.1:50051 health
//   node example.js --target 127.0.0.1:50051 search "pão de queijo" [--collections products] [--limit 10]
//   node example.js --target 127.0.0.1:50051 suggest "pão de que" [--collections products]
//
// Prints one JSON document on stdout; exits 1 with the gRPC status on stderr on failure.
const { BuscaClient } = require('./client');

function parseArgs(argv) {
  const opts = { target: '127.0.0.1:50051', collections: [], limit: 10, positional: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--target') opts.target = argv[++i];
    else if (a === '--collections') opts.collections = argv[++i].split(',').filter(Boolean);
    else if (a === '--limit') opts.limit = Number(argv[++i]);
    else opts.positional.push(a);
  }
  return opts;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const [command, text] = opts.positional;
  const client = new BuscaClient(opts.target);
  try {
    let out;
    if (command === 'health') {
      out = { status: await client.health() };
    } else if (command === 'search') {
      const res = await client.search({
        query: text, collections: opts.collections, limit: opts.limit, returnStored: true,
      });
      // The marketplace's shape: an array of matching items with relevance scores.
      out = {
        total: res.totalHits,
        generations: res.generations,
        results: res.hits.map((h) => ({ collection: h.collection, id: h.id, score: h.score, fields: h.fields })),
      };
    } else if (command === 'suggest') {
      out = { suggestions: await client.suggest(text, opts.collections, opts.limit) };
    } else {
      throw new Error(`unknown command '${command}' (health | search TEXT | suggest TEXT)`);
    }
    process.stdout.write(JSON.stringify(out) + '\n');
  } finally {
    client.close();
  }
}

main().catch((err) => {
  process.stderr.write(`busca example: ${err.message}\n`);
  process.exit(1);
});
