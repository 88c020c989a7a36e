"""Management and admin tokens: stored as hashes, compared in constant time."""
from webhook_register.domain.tokens import AdminTokens, hash_token, is_token_shaped, new_token, token_matches


def test_tokens_are_unguessable_and_only_their_hash_is_kept():
    token = new_token()
    assert token.startswith("whr_") and len(token) >= 40 and is_token_shaped(token)
    stored = hash_token(token)
    assert token not in stored and len(stored) == 43
    assert token_matches(token, stored)
    assert not token_matches(new_token(), stored)
    assert not token_matches(token, "")


def test_admin_tokens_match_by_hash():
    admin = new_token()
    tokens = AdminTokens([hash_token(admin), hash_token(new_token())])
    assert tokens.match(admin)
    assert not tokens.match(new_token())
    assert not AdminTokens().match(admin)


def test_odd_strings_are_not_tokens():
    for value in ["", "short", "has space in it here", "x" * 300, "ünïcode-token-here", "x" * 20 + "\n"]:
        assert not is_token_shaped(value)
