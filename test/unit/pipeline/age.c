/* age v1: Bech32 keys, the header and its MAC, STREAM at chunk boundaries, damage refused. */
#include <stdlib.h>
#include <string.h>

#include "pipeline/age.h"
#include "test.h"

/* A key pair age-keygen made, and a file `age -r` encrypted to it ("hello, age\n"). */
static const char test_recipient[] =
    "age1yj7ljwpdyn7qza0emgldp2nl64rn8zq4dt67lg4suf5exfyxxa9sr8ap5l";
static const char test_identity[] =
    "AGE-SECRET-KEY-1PV5V8JY2XCJ63NT0SCZX5XXNVJSEHKV9G9KNHWP9A87XGGX5DZ5SQ4K5T4";
static const unsigned char age_made[] = {
    0x61, 0x67, 0x65, 0x2d, 0x65, 0x6e, 0x63, 0x72, 0x79, 0x70, 0x74, 0x69, 0x6f, 0x6e, 0x2e, 0x6f,
    0x72, 0x67, 0x2f, 0x76, 0x31, 0x0a, 0x2d, 0x3e, 0x20, 0x58, 0x32, 0x35, 0x35, 0x31, 0x39, 0x20,
    0x2f, 0x4f, 0x71, 0x51, 0x39, 0x7a, 0x49, 0x53, 0x6d, 0x61, 0x7a, 0x6b, 0x4e, 0x73, 0x67, 0x37,
    0x2f, 0x43, 0x65, 0x5a, 0x6c, 0x7a, 0x4e, 0x66, 0x41, 0x73, 0x4a, 0x61, 0x4f, 0x78, 0x31, 0x77,
    0x39, 0x63, 0x35, 0x46, 0x55, 0x38, 0x65, 0x73, 0x56, 0x6d, 0x55, 0x0a, 0x38, 0x68, 0x6a, 0x4d,
    0x78, 0x55, 0x36, 0x6e, 0x32, 0x42, 0x46, 0x4a, 0x4f, 0x30, 0x54, 0x63, 0x74, 0x61, 0x41, 0x73,
    0x50, 0x30, 0x76, 0x43, 0x39, 0x67, 0x64, 0x64, 0x34, 0x6b, 0x2b, 0x66, 0x50, 0x4d, 0x61, 0x79,
    0x61, 0x4d, 0x33, 0x45, 0x59, 0x6d, 0x55, 0x0a, 0x2d, 0x2d, 0x2d, 0x20, 0x77, 0x79, 0x54, 0x57,
    0x4b, 0x4f, 0x4e, 0x75, 0x4f, 0x33, 0x71, 0x2f, 0x2b, 0x6d, 0x6c, 0x71, 0x2f, 0x71, 0x52, 0x59,
    0x6e, 0x46, 0x34, 0x47, 0x31, 0x49, 0x4f, 0x66, 0x77, 0x71, 0x38, 0x6e, 0x4c, 0x33, 0x54, 0x72,
    0x2b, 0x6b, 0x4c, 0x38, 0x55, 0x4a, 0x41, 0x0a, 0xba, 0xe0, 0x75, 0xdb, 0x6e, 0x46, 0x2a, 0xfa,
    0x91, 0xe4, 0x9f, 0xfa, 0x59, 0xad, 0xe4, 0x7f, 0x86, 0x46, 0xac, 0x3a, 0xa4, 0xda, 0x9d, 0xe5,
    0x0d, 0x25, 0x7f, 0x38, 0x09, 0xe6, 0xc8, 0x2a, 0x48, 0xbe, 0x58, 0xd6, 0x97, 0x1c, 0x82, 0x6b,
    0x9c, 0xe7, 0x56};

static void test_bech32(void)
{
	/* BIP 173's valid vector: hrp "abcdef", the 32 symbols in order (20 bytes). */
	static const unsigned char bip[20] = {0x00, 0x44, 0x32, 0x14, 0xc7, 0x42, 0x54,
					      0xb6, 0x35, 0xcf, 0x84, 0x65, 0x3a, 0x56,
					      0xd7, 0xc6, 0x75, 0xbe, 0x77, 0xdf};
	unsigned char out[32], secret[32], pub[32];
	char text[128];
	const char *why = NULL;

	CHECK(age_bech32_decode("abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw", "abcdef", out, 20,
				&why) == 0 &&
		  memcmp(out, bip, 20) == 0,
	      "BIP 173 vector: %s", why ? why : "bytes differ");
	CHECK(age_bech32_encode("abcdef", bip, 20, text, sizeof(text)) == 0 &&
		  strcmp(text, "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw") == 0,
	      "encodes %s", text);
	CHECK(age_bech32_decode("abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxq", "abcdef", out, 20,
				&why) < 0,
	      "a wrong checksum is refused");
	CHECK(age_bech32_decode("ABCDEF1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw", "abcdef", out, 20,
				&why) < 0,
	      "mixed case is refused");
	/* age-keygen's pair: the identity's public key is the recipient. */
	CHECK(age_bech32_decode(test_identity, "age-secret-key-", secret, 32, &why) == 0,
	      "identity: %s", why);
	CHECK(age_x25519_public(secret, pub) == 0 &&
		  age_bech32_encode("age", pub, 32, text, sizeof(text)) == 0 &&
		  strcmp(text, test_recipient) == 0,
	      "the identity's recipient is %s", text);
	CHECK(age_bech32_decode(test_recipient, "age", out, 32, &why) == 0 &&
		  memcmp(out, pub, 32) == 0,
	      "recipient decodes");
	CHECK(age_bech32_decode(test_recipient, "age", out, 31, &why) < 0, "length is checked");
}

static void keys_of(struct age_keys *k, const char *identity)
{
	const char *dir = temp_dir();
	char path[512], text[256];

	memset(k, 0, sizeof(*k));
	snprintf(path, sizeof(path), "%s/key.txt", dir);
	snprintf(text, sizeof(text), "# a comment\n\n%s\n", identity);
	write_file(path, text);
	CHECK(age_keys_load_identity_file(k, path) == 0, "identity file loads");
	remove_tree(dir);
}

static void test_reads_age_made_file(void)
{
	struct age_keys k;
	struct buffer out = {0};
	struct source *src;

	keys_of(&k, test_identity);
	src = age_source(bytes_source(age_made, sizeof(age_made), 7), &k, "h.age", NULL);

	CHECK(src != NULL && read_all(src, &out, 5) == 0 && out.len == 11 &&
		  memcmp(out.data, "hello, age\n", 11) == 0,
	      "decrypts what age encrypted (%zu bytes)", out.len);
	buffer_free(&out);
	age_keys_free(&k);
}

/* Encrypts len bytes to k into out (written write bytes at a time). */
static int encrypt_into(const struct age_keys *k, const unsigned char *data, size_t len,
			size_t write, struct buffer *out)
{
	struct sink *s = age_sink(buffer_sink(out), k);

	if (s == NULL)
		return -1;
	for (size_t i = 0; i < len; i += write)
		if (sink_write(s, data + i, len - i < write ? len - i : write) < 0) {
			sink_abort(s);
			return -1;
		}
	return sink_commit(s);
}

static int decrypt(const struct age_keys *k, const unsigned char *data, size_t len,
		   struct buffer *out)
{
	struct source *src = age_source(bytes_source(data, len, 100000), k, "test.age", "age1test");

	return src != NULL ? read_all(src, out, 70000) : -1;
}

/* Where the payload starts: after the header's last newline and the 16-byte nonce. */
static size_t payload_at(const struct buffer *b)
{
	unsigned char *mac = memmem(b->data, b->len, "\n--- ", 5);
	unsigned char *nl = memchr(mac + 1, '\n', b->len - (size_t)(mac + 1 - b->data));

	return (size_t)(nl + 1 - b->data) + 16;
}

static void test_stream(void)
{
	static const size_t sizes[] = {0, 1, 65535, 65536, 65537, 131072, 200000};
	unsigned char *data = malloc(200000);
	struct age_keys enc = {0}, dec, other;

	for (size_t i = 0; i < 200000; i++)
		data[i] = (unsigned char)(i * 7 + i / 251);
	CHECK(age_keys_add_recipients(&enc, test_recipient, "test") == 0, "recipient parses");
	keys_of(&dec, test_identity);
	keys_of(&other,
		"AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX");
	for (size_t i = 0; i < sizeof(sizes) / sizeof(*sizes); i++) {
		struct buffer ct = {0}, pt = {0};
		size_t n = sizes[i], at;

		CHECK(encrypt_into(&enc, data, n, 4000, &ct) == 0, "encrypts %zu bytes", n);
		at = payload_at(&ct);
		CHECK(ct.len - at == n + 16 * (n == 0 ? 1 : (n + 65535) / 65536),
		      "%zu bytes make %zu of payload", n, ct.len - at);
		/* memcmp may not be handed the NULL of an empty buffer, even for 0 bytes. */
		CHECK(decrypt(&dec, ct.data, ct.len, &pt) == 0 && pt.len == n &&
			  (n == 0 || memcmp(pt.data, data, n) == 0),
		      "round trip of %zu bytes", n);
		buffer_free(&pt);
		CHECK(decrypt(&other, ct.data, ct.len, &pt) < 0, "a wrong key is refused (%zu)", n);
		buffer_free(&pt);
		/* Truncated: cut at the chunk boundary, and mid-chunk. */
		if (n > 65536) {
			CHECK(decrypt(&dec, ct.data, at + 65536 + 16, &pt) < 0,
			      "cut at a chunk boundary is refused (%zu)", n);
			buffer_free(&pt);
		}
		if (n > 0) {
			CHECK(decrypt(&dec, ct.data, ct.len - 1, &pt) < 0,
			      "one byte short is refused (%zu)", n);
			buffer_free(&pt);
			ct.data[at + n / 2] ^= 1;
			CHECK(decrypt(&dec, ct.data, ct.len, &pt) < 0,
			      "a flipped bit is refused (%zu)", n);
			CHECK(pt.len <= (n / 2) / 65536 * 65536,
			      "nothing past the damage is given out (%zu of %zu)", pt.len, n);
			buffer_free(&pt);
			ct.data[at + n / 2] ^= 1;
		}
		/* The header's MAC covers the stanzas. */
		ct.data[30] ^= 1;
		CHECK(decrypt(&dec, ct.data, ct.len, &pt) < 0, "a changed header is refused (%zu)",
		      n);
		buffer_free(&pt);
		ct.data[30] ^= 1;
		if (n >= 200000) { /* swap the first two chunks */
			unsigned char *tmp = malloc(65536 + 16);

			memcpy(tmp, ct.data + at, 65536 + 16);
			memmove(ct.data + at, ct.data + at + 65536 + 16, 65536 + 16);
			memcpy(ct.data + at + 65536 + 16, tmp, 65536 + 16);
			CHECK(decrypt(&dec, ct.data, ct.len, &pt) < 0 && pt.len == 0,
			      "swapped chunks are refused, nothing given out");
			buffer_free(&pt);
			free(tmp);
		}
		buffer_free(&ct);
	}
	age_keys_free(&enc);
	age_keys_free(&dec);
	age_keys_free(&other);
	free(data);
}

static void test_passphrase(void)
{
	struct age_keys enc = {0}, dec = {0}, wrong = {0};
	struct buffer ct = {0}, pt = {0};

	/* A low work factor keeps the test quick; age accepts any up to ours. */
	enc.scrypt_log_n = 10;
	age_keys_set_passphrase(&enc, "correct horse");
	age_keys_set_passphrase(&dec, "correct horse");
	age_keys_set_passphrase(&wrong, "battery staple");
	CHECK(encrypt_into(&enc, (const unsigned char *)"secret rows\n", 12, 12, &ct) == 0,
	      "passphrase encrypts");
	CHECK(memmem(ct.data, ct.len, "-> scrypt ", 10) != NULL, "one scrypt stanza");
	CHECK(decrypt(&dec, ct.data, ct.len, &pt) == 0 && pt.len == 12, "passphrase decrypts");
	buffer_free(&pt);
	CHECK(decrypt(&wrong, ct.data, ct.len, &pt) < 0,
	      "a wrong passphrase is refused, though the right one's key is remembered");
	buffer_free(&pt);
	CHECK(decrypt(&dec, ct.data, ct.len, &pt) == 0 && pt.len == 12 &&
		  memcmp(pt.data, "secret rows\n", 12) == 0,
	      "the right one opens the file again from its remembered key");
	buffer_free(&pt);
	buffer_free(&ct);
	age_keys_free(&enc);
	age_keys_free(&dec);
	age_keys_free(&wrong);
}

static void test_bad_keys(void)
{
	struct age_keys k = {0};

	CHECK(age_keys_add_recipients(
		  &k, "age1yj7ljwpdyn7qza0emgldp2nl64rn8zq4dt67lg4suf5exfyxxa9sr8ap5m", "test") < 0,
	      "a recipient with a typo is refused");
	CHECK(age_keys_add_recipients(&k, "ssh-ed25519 AAAA", "test") < 0, "ssh keys are refused");
	CHECK(age_keys_add_recipients(&k, "age1yubikey1qwerty", "test") < 0,
	      "plugin recipients are refused");
	CHECK(age_keys_add_recipients(&k, test_recipient, "test") == 0 &&
		  age_keys_add_recipients(&k, test_recipient, "test") == 0 && k.nrecipients == 2,
	      "two recipients");
	age_keys_free(&k);
}

void test_pipeline_age(void)
{
	test_bech32();
	test_reads_age_made_file();
	test_stream();
	test_passphrase();
	test_bad_keys();
}
