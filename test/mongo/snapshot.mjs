// Usage: node snapshot.mjs URI -> prints every user database, collection,
// index and document in canonical Extended JSON, sorted, for comparisons.
import mongodb from 'mongodb';
const { MongoClient, BSON } = mongodb;
const { EJSON } = BSON;

const client = new MongoClient(process.argv[2], { directConnection: true });
await client.connect();
const { databases } = await client.db('admin').admin().listDatabases();
const system = new Set(['admin', 'local', 'config']);
for (const { name } of databases.filter((d) => !system.has(d.name)).sort((a, b) => a.name.localeCompare(b.name))) {
	const db = client.db(name);
	const collections = (await db.listCollections().toArray()).map((c) => c.name).sort();
	for (const coll of collections) {
		console.log(`== ${name}.${coll}`);
		const indexes = await db.collection(coll).indexes();
		for (const ix of indexes.sort((a, b) => a.name.localeCompare(b.name)))
			console.log(`index ${ix.name} ${JSON.stringify(ix.key)} unique=${!!ix.unique}`);
		const docs = await db.collection(coll).find({}).toArray();
		const lines = docs.map((d) => EJSON.stringify(d, { relaxed: false }));
		for (const line of lines.sort()) console.log(line);
	}
}
await client.close();
