/*
 * The key of a store's encrypted chunks:
 *
 *   chunks/keys/<id>   an age identity file (one AGE-SECRET-KEY-1...), itself
 *                      an age file encrypted to the backups' recipients or
 *                      passphrase, so `age -d` opens it like any backup file.
 *
 * From its secret come two things:
 *  - the name key: chunks are named by the HMAC-SHA-256 of their plain bytes
 *    under it, so a name never gives away the SHA-256 of plain data. It is
 *    salted with whom the backups are encrypted to, so that new recipients
 *    start new chunks, encrypted to them, instead of reusing chunks the old
 *    ones alone can open. <id> is its fingerprint, recorded in manifests;
 *  - with a passphrase, the X25519 recipient chunks are encrypted to: one
 *    scrypt per run (opening this file), not one per chunk.
 * With recipients, chunks are encrypted to the recipients themselves and the
 * writer never decrypts anything: it takes the secret from
 * BACKUP_CHUNK_KEY_FILE and stores it here (encrypted) for recover, which
 * needs it to check that each chunk holds what its name says.
 */
#ifndef TIERDUMP_CHUNKED_CHUNKKEY_H
#define TIERDUMP_CHUNKED_CHUNKKEY_H

#include <stddef.h>

#include "chunked/chunks.h"
#include "pipeline/age.h"
#include "store/store.h"
#include "util/digest.h"

#define CHUNKS_KEYS "chunks/keys"
#define CHUNK_KEY_ID_LEN 32 /* hex digits: MANIFEST_CHUNK_KEY_LEN */

struct chunk_key {
	struct age_keys own;	     /* the secret (and the run's identities); its public key */
	const struct age_keys *seal; /* whom new chunks are encrypted to: recipients, or own */
	unsigned char name_key[DIGEST_LEN];
	char id[CHUNK_KEY_ID_LEN + 1];
};

/*
 * The key a backup run encrypting to age (its recipients, or its passphrase)
 * writes chunks with: with recipients, the secret of the identity file
 * key_file, stored in s when s lacks it; with a passphrase, the first key in
 * s it opens, made and stored when there is none. NULL after fail().
 */
struct chunk_key *chunk_key_for_writer(struct store *s, const struct age_keys *age,
				       const char *key_file);

/*
 * The key id of s that a backup encrypted to recipients (the manifest's
 * list) names, opened with age (identities or passphrase) and checked
 * against its id. NULL after fail(): EXIT_AUTH when age cannot open it.
 */
struct chunk_key *chunk_key_for_reader(struct store *s, const struct age_keys *age, const char *id,
				       char *const *recipients, size_t nrecipients);

/* Copies the key file id from one store to another that lacks it. 0, or -1 after fail(). */
int chunk_key_carry(struct store *from, struct store *to, const char *id);

/* Wipes and frees k; accepts NULL. */
void chunk_key_free(struct chunk_key *k);

#endif
