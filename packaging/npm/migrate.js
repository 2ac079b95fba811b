#!/usr/bin/env node
// Runs the migrate binary of the platform package npm installed beside this one. There is no
// install script: the package manager picks the platform package by its `os`, `cpu` and `libc`.
"use strict";
const { spawnSync } = require("node:child_process");
const path = require("node:path");

function platformPackage() {
  const libc = process.platform === "linux" && !process.report?.getReport?.().header?.glibcVersionRuntime ? "-musl" : "";
  return `@migrate-pg/${process.platform}-${process.arch}${libc}`;
}

const name = platformPackage();
let binary;
try {
  const exe = process.platform === "win32" ? "migrate.exe" : "migrate";
  binary = path.join(path.dirname(require.resolve(`${name}/package.json`)), "bin", exe);
} catch {
  console.error(`migrate: the package ${name} is not installed; this platform may have no build, or optional dependencies were left out (npm install --include=optional)`);
  process.exit(2);
}
const run = spawnSync(binary, process.argv.slice(2), { stdio: "inherit" });
if (run.error) {
  console.error(`migrate: cannot run ${binary}: ${run.error.message}`);
  process.exit(2);
}
process.exit(run.status === null ? 1 : run.status);
