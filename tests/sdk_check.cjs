// sdk_check.cjs: the official SDKs (npm openai and @google/genai) run their
// batch flows against tests/fakeapi.py, to show the real clients read the
// fake's answers.  Usage: NODE_PATH=<dir>/node_modules node sdk_check.cjs URL DIR
// (DIR: a scratch directory).  Prints "ok: ..." per step; exits 1 on a failure.
'use strict';
const fs = require('fs');
const path = require('path');
const openai = require('openai');
const { GoogleGenAI } = require('@google/genai');

const [url, dir] = process.argv.slice(2);
const OpenAI = openai.OpenAI || openai.default;
const SCHEMA = {
	type: 'object', additionalProperties: false, required: ['title', 'description', 'keywords'],
	properties: { title: { type: 'string' }, description: { type: 'string' },
		      keywords: { type: 'array', items: { type: 'string' } } },
};
const TEXT = 'Write the stock metadata for this photo. The photographer\'s description:\n<<<DESCRIPTION\n' +
	'Dřevěný kostel v zimě, Beskydy, ranní mlha.\nDESCRIPTION>>>';

function check(cond, what) {
	if (!cond) {
		console.log('FAIL: ' + what);
		process.exit(1);
	}
	console.log('ok: ' + what);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function poll(get, done) {
	for (let i = 0; i < 300; i++) {
		const o = await get();
		if (done(o))
			return o;
		await sleep(50);
	}
	throw new Error('never finished');
}

async function openaiFlow() {
	const client = new OpenAI({ apiKey: 'sk-test-fake', baseURL: url + '/v1', maxRetries: 0 });
	const lines = [0, 1, 2].map((i) => JSON.stringify({
		custom_id: 'sdk-' + i, method: 'POST', url: '/v1/chat/completions',
		body: { model: 'gpt-4o-mini', max_tokens: 400,
			messages: [{ role: 'system', content: 'You write stock metadata.' },
				   { role: 'user', content: [{ type: 'text', text: TEXT }] }],
			response_format: { type: 'json_schema',
					   json_schema: { name: 'stock_metadata', strict: true, schema: SCHEMA } } },
	})).join('\n') + '\n';
	const file = await client.files.create({ file: await openai.toFile(Buffer.from(lines), 'sdk.jsonl'),
						 purpose: 'batch' });
	check(file.id && file.purpose === 'batch' && file.bytes === Buffer.byteLength(lines), 'OpenAI files.create: ' + file.id);
	const created = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions',
						      completion_window: '24h', metadata: { stockbatch: 'sdk' } });
	check(created.status === 'validating', 'OpenAI batches.create: ' + created.id);
	const b = await poll(() => client.batches.retrieve(created.id),
			     (x) => ['completed', 'failed', 'expired', 'cancelled'].includes(x.status));
	check(b.status === 'completed' && b.request_counts.completed === 3 && b.output_file_id,
	      'OpenAI batches.retrieve: completed 3/3');
	const res = await client.files.content(b.output_file_id);
	const out = (await res.text()).trim().split('\n').map((l) => JSON.parse(l));
	check(out.length === 3 && out.every((o) => o.response.status_code === 200), 'OpenAI files.content: 3 lines');
	const meta = JSON.parse(out[0].response.body.choices[0].message.content);
	check(meta.keywords.includes('church') && meta.keywords.includes('wooden'), 'OpenAI: the answer reads: ' + meta.title);
	// a request the service refuses comes back as the SDK's typed error
	try {
		await client.chat.completions.create({ model: 'gpt-4o-mini', max_tokens: 0,
						       messages: [{ role: 'user', content: 'x' }] });
		check(false, 'OpenAI: max_tokens 0 refused');
	} catch (e) {
		check(e instanceof openai.BadRequestError && e.code === 'integer_below_min_value',
		      'OpenAI: max_tokens 0 refused as BadRequestError');
	}
}

async function geminiFlow() {
	const ai = new GoogleGenAI({ apiKey: 'gm-test-fake', httpOptions: { baseUrl: url } });
	const gschema = { type: 'OBJECT', required: ['title', 'description', 'keywords'],
			  properties: { title: { type: 'STRING' }, description: { type: 'STRING' },
					keywords: { type: 'ARRAY', items: { type: 'STRING' } } } };
	const lines = [0, 1].map((i) => JSON.stringify({
		key: 'sdk-' + i,
		request: { contents: [{ role: 'user', parts: [{ text: TEXT }] }],
			   generationConfig: { maxOutputTokens: 400, responseMimeType: 'application/json',
					       responseSchema: gschema } },
	})).join('\n') + '\n';
	const p = path.join(dir, 'gem.jsonl');
	fs.writeFileSync(p, lines);
	const f = await ai.files.upload({ file: p, config: { mimeType: 'application/jsonl', displayName: 'sdk' } });
	check(f.name && f.name.startsWith('files/') && Number(f.sizeBytes) === Buffer.byteLength(lines),
	      'Gemini files.upload: ' + f.name);
	const job = await ai.batches.create({ model: 'gemini-2.5-flash', src: f.name, config: { displayName: 'sdk' } });
	check(job.name && job.name.startsWith('batches/'), 'Gemini batches.create: ' + job.name);
	const done = await poll(() => ai.batches.get({ name: job.name }),
				(x) => ['JOB_STATE_SUCCEEDED', 'JOB_STATE_FAILED', 'JOB_STATE_CANCELLED',
					'JOB_STATE_EXPIRED'].includes(x.state));
	check(done.state === 'JOB_STATE_SUCCEEDED' && done.dest && done.dest.fileName,
	      'Gemini batches.get: succeeded, results in ' + (done.dest && done.dest.fileName));
	const live = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: TEXT,
						       config: { responseMimeType: 'application/json', responseSchema: gschema } });
	check(JSON.parse(live.text).keywords.includes('church'), 'Gemini models.generateContent reads the answer');
	await ai.files.delete({ name: f.name });
	try {
		await ai.files.get({ name: f.name });
		check(false, 'Gemini: a deleted file is gone');
	} catch (e) {
		check(e.status === 403 && /PERMISSION_DENIED|permission/i.test(e.message),
		      'Gemini: a deleted file gives 403 PERMISSION_DENIED');
	}
}

(async () => {
	await openaiFlow();
	await geminiFlow();
	console.log('all ok');
})().catch((e) => {
	console.log('FAIL: ' + (e && e.stack ? e.stack : e));
	process.exit(1);
});
