// Offline check of Kubernetes manifests against the API schema of Kubernetes v1.36.0, without a
// cluster (kubectl's --validate downloads the schema from an API server). Run by validate.sh, which
// installs the pinned npm packages this needs into a scratch folder:
//   node validate.mjs FILE.yaml...
//
// Two passes per object:
//  1. schema: kubernetes-models 5.1.0 compiles the OpenAPI definitions of Kubernetes v1.36.0 into ajv
//     validators: types, integer formats, enums and required fields of every nested object.
//  2. fields: Kubernetes' OpenAPI definitions do not forbid unknown fields, so pass 1 accepts a
//     misspelt field, and an API server would drop it (or refuse it, with strict field validation).
//     The same package's type declarations list every field of every object; the TypeScript checker
//     reads them and each field of the manifest must be one of them.
// What neither pass can see: the API server's own rules written in Go (e.g. that
// backoffLimitPerIndex needs completionMode: Indexed), and whether the cluster runs v1.36 features.
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { join, basename, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import ts from "typescript";

// validate.sh runs a copy of this file beside the node_modules it installed.
const root = dirname(fileURLToPath(import.meta.url));

/** "batch/v1" + "Job" → "kubernetes-models/batch/v1/Job"; core ("v1") has no group folder. */
const modelPath = (apiVersion, kind) => `kubernetes-models/${apiVersion}/${kind}`;

async function schemaErrors(object) {
  let model;
  try {
    model = (await import(modelPath(object.apiVersion, object.kind)))[object.kind];
  } catch {
    return [`apiVersion ${object.apiVersion}, kind ${object.kind}: not an API type of Kubernetes v1.36`];
  }
  try {
    new model(object).validate();
    return [];
  } catch (e) {
    return e.message.split("\n").map(l => l.trim()).filter(Boolean).map(l => l.replace(/^data\//, "/"));
  }
}

/** A TypeScript program that only declares one value of each manifest's type, for its checker. */
function typeChecker(objects) {
  const dir = mkdtempSync(join(root, ".types-"));
  const lines = objects.map((o, i) =>
    `import type { I${o.kind} as T${i} } from "${modelPath(o.apiVersion, o.kind)}";\nexport declare const v${i}: T${i};`);
  const file = join(dir, "manifests.mts");
  writeFileSync(file, lines.join("\n") + "\n");
  const program = ts.createProgram([file], {
    module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true, noEmit: true, skipLibCheck: true, types: [],
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  const types = [];
  ts.forEachChild(source, node => {
    if (ts.isVariableStatement(node))
      for (const d of node.declarationList.declarations) types.push(checker.getTypeAtLocation(d.name));
  });
  rmSync(dir, { recursive: true, force: true });
  return { checker, types };
}

function fieldErrors(checker, value, type, path, errors) {
  if (value === null || typeof value !== "object") return;
  type = checker.getNonNullableType(type);
  if (Array.isArray(value)) {
    const item = checker.getIndexTypeOfType(type, ts.IndexKind.Number);
    if (item) value.forEach((v, i) => fieldErrors(checker, v, item, `${path}/${i}`, errors));
    return;
  }
  const map = checker.getIndexTypeOfType(type, ts.IndexKind.String);   // labels, annotations, resources…
  if (map) {
    for (const [k, v] of Object.entries(value)) fieldErrors(checker, v, map, `${path}/${k}`, errors);
    return;
  }
  const fields = new Map(checker.getPropertiesOfType(type).map(p => [p.getName(), p]));
  if (fields.size === 0) return;   // a scalar written as an object is pass 1's to report
  for (const [k, v] of Object.entries(value)) {
    const field = fields.get(k);
    if (!field) {
      errors.push(`${path || "/"}: unknown field "${k}" (${checker.typeToString(type)} has no such field)`);
      continue;
    }
    fieldErrors(checker, v, checker.getTypeOfSymbolAtLocation(field, field.valueDeclaration), `${path}/${k}`, errors);
  }
}

/** Every object of every file, then the errors of each; returns the number of objects with errors. */
export async function validate(files, { quiet = false } = {}) {
  const objects = [];
  for (const file of files) {
    for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
      if (doc.errors.length) { objects.push({ file, parseError: doc.errors[0].message }); continue; }
      const object = doc.toJS();
      if (object) objects.push({ file, object });
    }
  }
  const typed = objects.filter(o => o.object?.apiVersion && o.object?.kind);
  const { checker, types } = typeChecker(typed.map(o => o.object));
  let bad = 0;
  for (const o of objects) {
    const name = `${basename(o.file)}: ${o.object?.kind ?? "?"}/${o.object?.metadata?.name ?? "?"}`;
    let errors;
    if (o.parseError) errors = [`YAML: ${o.parseError}`];
    else if (!o.object.apiVersion || !o.object.kind) errors = ["no apiVersion or kind"];
    else {
      errors = await schemaErrors(o.object);
      const t = types[typed.indexOf(o)];
      // An unresolved model import gives the error type; pass 1 has reported that already.
      if (t && !(t.flags & ts.TypeFlags.Any)) fieldErrors(checker, o.object, t, "", errors);
    }
    if (errors.length) bad++;
    if (!quiet) console.log(errors.length ? `${name}: INVALID\n${errors.map(e => `    ${e}`).join("\n")}` : `${name}: valid`);
  }
  return bad;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const files = process.argv.slice(2);
  if (files.length === 0) { console.error("usage: node validate.mjs FILE.yaml..."); process.exit(2); }
  process.exit((await validate(files)) === 0 ? 0 : 1);
}
