// The TypeScript declarations (js/index.d.ts): a user's code type-checks
// against them, misuse does not, and they declare what js/index.js exports.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import ts from 'typescript';

import * as bodyPix from '../../js/index.js';
import { repoRoot } from '../support/shared.mjs';

test('tests/types/consumer.ts type-checks (strict, Node libs only) and its expected errors are errors', async () => {
  const tsc = path.join(repoRoot, 'node_modules/typescript/bin/tsc');
  const { stdout, stderr } = await promisify(execFile)(process.execPath, [tsc, '-p', 'tests/types'], { cwd: repoRoot })
    .catch((e) => assert.fail(`tsc failed:\n${e.stdout}${e.stderr}`));
  assert.equal(stdout + stderr, '');
});

test('index.d.ts declares every value js/index.js exports, and no other', async () => {
  const file = path.join(repoRoot, 'js/index.d.ts');
  const source = ts.createSourceFile(file, await fs.readFile(file, 'utf8'), ts.ScriptTarget.ES2022);
  const declared = new Set();
  for (const node of source.statements) {
    const exported = node.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    if (!exported) continue;
    if (ts.isVariableStatement(node)) node.declarationList.declarations.forEach((d) => declared.add(d.name.text));
    else if (ts.isFunctionDeclaration(node) || ts.isClassDeclaration(node)) declared.add(node.name.text);
  }
  assert.deepEqual([...declared].sort(), Object.keys(bodyPix).sort());
});
