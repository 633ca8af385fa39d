/*
 * Bech32 (BIP 173), the text form of age's keys: "age1..." recipients and
 * "AGE-SECRET-KEY-1..." identities. age does not apply BIP 173's 90-character
 * limit, so neither do we.
 */
#include "pipeline/age.h"

#include <ctype.h>
#include <string.h>

static const char charset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

static unsigned long polymod(const unsigned char *v, size_t n)
{
	static const unsigned long gen[5] = {0x3b6a57b2UL, 0x26508e6dUL, 0x1ea119faUL, 0x3d4233ddUL,
					     0x2a1462b3UL};
	unsigned long chk = 1;

	for (size_t i = 0; i < n; i++) {
		unsigned long top = chk >> 25;

		chk = ((chk & 0x1ffffffUL) << 5) ^ v[i];
		for (int j = 0; j < 5; j++)
			if ((top >> j) & 1)
				chk ^= gen[j];
	}
	return chk;
}

/* The checksum's input: the expanded hrp, then the 5-bit data. Returns its length. */
static size_t expand(const char *hrp, size_t hlen, const unsigned char *data, size_t dlen,
		     unsigned char *v)
{
	size_t n = 0;

	for (size_t i = 0; i < hlen; i++)
		v[n++] = (unsigned char)hrp[i] >> 5;
	v[n++] = 0;
	for (size_t i = 0; i < hlen; i++)
		v[n++] = (unsigned char)hrp[i] & 31;
	memcpy(v + n, data, dlen);
	return n + dlen;
}

enum { MAX_TEXT = 256 };

int age_bech32_decode(const char *text, const char *hrp, unsigned char *out, size_t len,
		      const char **why)
{
	unsigned char data[MAX_TEXT], v[3 * MAX_TEXT];
	size_t tlen = strlen(text), hlen = strlen(hrp), dlen = 0, got = 0;
	int lower = 0, upper = 0, bits = 0;
	unsigned long acc = 0;
	const char *sep = strrchr(text, '1');

	if (tlen >= MAX_TEXT || sep == NULL || (size_t)(sep - text) != hlen ||
	    strncasecmp(text, hrp, hlen) != 0)
		return *why = "it does not start with the expected prefix", -1;
	for (const char *p = text; *p; p++) {
		if (*p < 33 || *p > 126)
			return *why = "it has a character outside printable ASCII", -1;
		lower |= islower((unsigned char)*p) != 0;
		upper |= isupper((unsigned char)*p) != 0;
	}
	if (lower && upper)
		return *why = "it mixes upper and lower case", -1;
	for (const char *p = sep + 1; *p; p++) {
		const char *c = strchr(charset, tolower((unsigned char)*p));

		if (c == NULL)
			return *why = "it has a character Bech32 does not use", -1;
		data[dlen++] = (unsigned char)(c - charset);
	}
	if (dlen < 6)
		return *why = "it is too short", -1;
	{
		char lhrp[MAX_TEXT];

		for (size_t i = 0; i < hlen; i++)
			lhrp[i] = (char)tolower((unsigned char)text[i]);
		if (polymod(v, expand(lhrp, hlen, data, dlen, v)) != 1)
			return *why = "its checksum is wrong (a typo, or a truncated key)", -1;
	}
	/* 5-bit groups to bytes, refusing non-zero or whole-group padding. */
	for (size_t i = 0; i < dlen - 6; i++) {
		acc = (acc << 5) | data[i];
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			if (got == len)
				return *why = "it holds more than a key", -1;
			out[got++] = (unsigned char)(acc >> bits);
		}
		acc &= (1UL << bits) - 1;
	}
	if (bits >= 5 || acc != 0 || got != len)
		return *why = "it does not hold a key of the right length", -1;
	return 0;
}

int age_bech32_encode(const char *hrp, const unsigned char *in, size_t len, char *out, size_t size)
{
	unsigned char data[MAX_TEXT], v[3 * MAX_TEXT];
	size_t hlen = strlen(hrp), dlen = 0, n;
	unsigned long acc = 0, chk;
	int bits = 0;

	if (hlen + 1 + (len * 8 + 4) / 5 + 6 + 1 > size || size > MAX_TEXT)
		return -1;
	for (size_t i = 0; i < len; i++) {
		acc = (acc << 8) | in[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			data[dlen++] = (acc >> bits) & 31;
		}
		acc &= (1UL << bits) - 1;
	}
	if (bits > 0)
		data[dlen++] = (acc << (5 - bits)) & 31;
	memset(data + dlen, 0, 6);
	n = expand(hrp, hlen, data, dlen + 6, v);
	chk = polymod(v, n) ^ 1;
	for (int i = 0; i < 6; i++)
		data[dlen + i] = (chk >> (5 * (5 - i))) & 31;
	memcpy(out, hrp, hlen);
	out[hlen] = '1';
	for (size_t i = 0; i < dlen + 6; i++)
		out[hlen + 1 + i] = charset[data[i]];
	out[hlen + 1 + dlen + 6] = '\0';
	return 0;
}
