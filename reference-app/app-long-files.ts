// The reference app's end-to-end files that run in `npm run test:app-long`, not in test:app (so
// not in CI): each checks an area test:app also covers with a shorter file, and together they
// took about 6.5 of test:app's 29 min (4 Dec 2026), when the whole CI run had reached its 45 min
// budget. Run them by hand when you change their area (regions, links, shards, partitions,
// scheduled failures). One list, read by both configs, so a file is in exactly one suite.
export const APP_LONG_FILES = [
  // regions: test:app keeps app-regions, regions-interrupt and netns
  "reference-app/regions/app-regions-stores.e2e.test.ts",
  "reference-app/regions/app-regions-caches.e2e.test.ts",
  "reference-app/regions/region-link.e2e.test.ts",
  // links: test:app keeps bandwidth-link, link-validate and link-relay-pg
  "reference-app/links-beyond-entry.e2e.test.ts",
  // shards: test:app keeps app-shards (every key on its shard, exact rows)
  "reference-app/app-sharded-db.e2e.test.ts",
  // partitions: test:app keeps app-partitions (every event on its key's partition)
  "reference-app/partitions.e2e.test.ts",
  // scheduled failures: test:app keeps the cache-loss and db-failover validations, which inject them
  "reference-app/app-up-failures.e2e.test.ts",
];
