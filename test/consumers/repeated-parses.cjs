// Shared by the ESM and CommonJS consumers (copied beside each): the same page and the same broken page, parsed
// again and again. After a few uses the SDK parses with zod's compiled fast path, where the runtime allows it;
// nothing it returns or throws may change on the way. Returns how many calls it made.
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS, so that both the ESM and the CommonJS consumer can load it */
const assert = require('node:assert/strict');

exports.checkRepeatedParses = async function checkRepeatedParses(AymaraAI, server, run) {
  const client = new AymaraAI({ apiKey: 'consumer-key', baseURL: server.url, maxRetries: 0 });
  const broken = JSON.stringify({ items: [{ prompt_uuid: 'a' }, { turn_number: 1.5 }], count: 2 });
  const bodies = [];
  const failures = [];
  for (let i = 0; i < 6; i++) {
    bodies.push((await client.evals.runs.listResponses(run, { limit: 100 })).body);
    server.api.inject({ body: broken, times: 1 });
    // The message ends with the request's own id: the rest must not change.
    const seen = ({ name, message, path, issues, issueCount }) => ({ name, message: message.replace(/request id \S+\)$/, ''), path, issues, issueCount });
    failures.push(await client.evals.runs.listResponses(run).then(() => 'resolved', seen));
  }
  await client.close();
  for (let i = 1; i < 6; i++) {
    assert.deepStrictEqual(bodies[i], bodies[0], `parse ${i + 1} of the same page differs from the first`);
    assert.deepStrictEqual(failures[i], failures[0], `error ${i + 1} of the same broken page differs from the first`);
  }
  assert.equal(failures[0].path, '$.items[1].prompt_uuid');
  assert.equal(failures[0].name, 'AymaraResponseValidationError');
  return bodies.length + failures.length;
};
