#!/usr/bin/env node
// The npm `bin` entry: runs the compiled plugin (`npm run build` writes dist/).
import "../dist/bin.js";
