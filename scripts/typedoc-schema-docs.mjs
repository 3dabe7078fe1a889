/**
 * TypeDoc plugin: a zod schema's fields carry the docs of the model type it parses.
 *
 * Each model is written twice, a type (which carries one line of docs per field) and a zod schema whose type
 * TypeDoc expands field by field. Rather than repeat every line of docs in the schema, a schema field without docs
 * takes those of the same field of its model: `EvalRunSchema`'s `evaluation.name` reads `EvalRun`'s `evaluation`,
 * then `Eval`'s `name`. A model is the type alias named as the schema without `Schema`, in the schema's file; a
 * schema with no such model keeps its own docs, and TypeDoc's check for undocumented exports still sees it.
 */
import ts from 'typescript';
import { Comment, Converter, ReflectionKind } from 'typedoc';

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_CREATE_DECLARATION, (context, reflection) => {
    if (!reflection.kindOf(ReflectionKind.Property) || reflection.hasComment()) return;
    const symbol = context.getSymbolFromReflection(reflection);
    const declaration = symbol?.valueDeclaration ?? symbol?.declarations?.[0];
    if (declaration === undefined || !ts.isPropertyAssignment(declaration)) return;
    const text = modelDocs(context.checker, declaration);
    if (text) reflection.comment = new Comment([{ kind: 'text', text }]);
  });
}

/**
 * The docs of the model field a schema field parses, or undefined.
 * @param {ts.TypeChecker} checker
 * @param {ts.PropertyAssignment} field
 */
function modelDocs(checker, field) {
  // The names from the schema's variable down to the field: `evaluation`, `name`.
  const path = [];
  let node = field;
  while (node !== undefined && !ts.isVariableDeclaration(node)) {
    if (ts.isPropertyAssignment(node)) path.unshift(node.name.getText());
    node = node.parent;
  }
  if (node === undefined || !ts.isIdentifier(node.name) || !node.name.text.endsWith('Schema')) return undefined;
  const modelName = node.name.text.slice(0, -'Schema'.length);
  const model = node.getSourceFile().statements.find((s) => ts.isTypeAliasDeclaration(s) && s.name.text === modelName);
  const modelSymbol = model && checker.getSymbolAtLocation(model.name);
  if (modelSymbol === undefined) return undefined;
  let type = checker.getDeclaredTypeOfSymbol(modelSymbol);
  let property;
  for (const name of path) {
    property = propertyOf(checker, type, name);
    if (property === undefined) return undefined;
    type = checker.getTypeOfSymbol(property);
  }
  return property && ts.displayPartsToString(property.getDocumentationComment(checker));
}

/**
 * A property of a field's type: through `null`, `undefined`, arrays and unions (`string | FileReference`).
 * @param {ts.TypeChecker} checker
 * @param {ts.Type} type
 * @param {string} name
 * @returns {ts.Symbol | undefined}
 */
function propertyOf(checker, type, name) {
  const members = type.isUnion() ? type.types : [type];
  for (const member of members) {
    const element = checker.isArrayType(member) ? checker.getTypeArguments(/** @type {ts.TypeReference} */ (member))[0] : member;
    const property = element?.getProperty(name);
    if (property !== undefined) return property;
  }
  return undefined;
}
