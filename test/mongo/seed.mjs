// Usage: node seed.mjs URI -> fills two databases with nested documents,
// binary, dates, ObjectIds, decimals and indexes, for the round-trip test.
import { MongoClient, Binary, ObjectId, Decimal128, Long } from 'mongodb';

const client = new MongoClient(process.argv[2], { directConnection: true });
await client.connect();
const shop = client.db('shop');
const orders = [];
for (let i = 0; i < 1500; i++) {
	orders.push({
		_id: new ObjectId(),
		n: i,
		customer: { name: `customer ${i % 37}`, tags: ['a', 'b', `t${i % 5}`], address: { city: 'Zürich', zip: 8000 + (i % 100) } },
		total: new Decimal128(`${i}.25`),
		big: Long.fromString('9007199254740993'),
		at: new Date(Date.UTC(2026, 0, 1) + i * 60000),
		blob: new Binary(Buffer.from([0, 1, 2, 255, i % 256])),
		note: i % 3 === 0 ? null : 'ünïcödé ✓',
	});
}
await shop.collection('orders').insertMany(orders);
await shop.collection('orders').createIndex({ n: 1 }, { unique: true, name: 'n_unique' });
await shop.collection('orders').createIndex({ 'customer.name': 1, at: -1 }, { name: 'by_customer' });
await shop.collection('empty').insertOne({ _id: 1 });
await shop.collection('empty').deleteMany({});
const logs = client.db('logs');
// CongoDB accepts only ObjectIds and integers as _id.
await logs.collection('lines').insertMany([{ _id: 1, v: 1 }, { _id: 2, v: [1, [2, 3]], nested: { deep: { deeper: true } } }]);
await client.close();
