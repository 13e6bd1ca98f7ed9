#!/usr/bin/env node
// The npm `bin` entry: runs the compiled plugin (package.json `prepare` builds dist/).
import "../dist/src/bin.js";
