/**
 * Imports every builtin module so each registers itself (see registry.ts).
 * Keep this a plain list of imports, one a line, so parallel additions merge trivially.
 */
import './operators.js';
import './time.js';
import './net.js';
import './jwt.js';
import './strings.js';
import './aggregates.js';
import './numbers.js';
import './types.js';
import './casts.js';
import './collections.js';
import './objects.js';
import './json-paths.js';
import './encoding.js';
import './crypto.js';
import './units.js';
import './semver.js';
import './uuid.js';
import './graph.js';
import './providers-aws.js';
import './regex.js';
import './glob.js';
import './graphql.js';
import './json-schema.js';
import './opa-runtime.js';
import './rego-metadata.js';
import './rego-parse-module.js';
