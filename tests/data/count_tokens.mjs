// Dev-time: add the reference o200k_base count (npm gpt-tokenizer@4.0.0) to
// each {"text": ...} line.  usage: node count_tokens.mjs < in.jsonl > out.jsonl
// (run where `npm install gpt-tokenizer@4.0.0` was done)
import { encode } from 'gpt-tokenizer/encoding/o200k_base';
import { createInterface } from 'node:readline';
const rl = createInterface({ input: process.stdin });
for await (const line of rl) {
	if (!line) continue;
	const o = JSON.parse(line);
	o.tokens = encode(o.text, { allowedSpecial: new Set(), disallowedSpecial: new Set() }).length;
	console.log(JSON.stringify(o));
}
