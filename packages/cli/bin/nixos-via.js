#!/usr/bin/env node
// The built CLI lives in dist/; this file exists before the first build, so npm can link the binary.
import "../dist/cli.js";
