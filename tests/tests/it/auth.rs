//! Authentication: login, rotation and reuse detection, logout, lockout, forged and
//! stale tokens, partner tokens, and the permission matrix walked over the schema.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use platform_tests::{Backend, TEST_PASSWORD, TestApp, error_code, on_both_backends};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

const ME: &str = "{ me { actor role } }";
const REFRESH: &str =
    "mutation($t: String!) { refreshToken(token: $t) { accessToken refreshToken } }";

async fn status_of(app: &TestApp, token: &str) -> (u16, Value, bool) {
    let response = app.post(Some(token), &[], json!({ "query": ME })).await;
    let status = response.status().as_u16();
    let challenged = response.headers().contains_key("www-authenticate");
    (status, response.json().await.unwrap(), challenged)
}

async fn refresh_rotates_reuse_revokes_the_session_and_logout_ends_it(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let email = app.account("supervisor").await;
    let login = app.login(&email, TEST_PASSWORD).await;
    let first_refresh = login["data"]["login"]["refreshToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let access = login["data"]["login"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        status_of(&app, &access).await.1["data"]["me"]["role"],
        "supervisor"
    );

    let rotated = app.graphql(REFRESH, json!({ "t": first_refresh })).await;
    let second_refresh = rotated["data"]["refreshToken"]["refreshToken"]
        .as_str()
        .unwrap_or_else(|| panic!("{rotated}"))
        .to_owned();
    let second_access = rotated["data"]["refreshToken"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(
        second_refresh, first_refresh,
        "rotation gives a new refresh token"
    );
    assert_eq!(status_of(&app, &second_access).await.0, 200);

    let reused = app.graphql(REFRESH, json!({ "t": first_refresh })).await;
    assert_eq!(error_code(&reused), Some("UNAUTHENTICATED"), "{reused}");
    let (status, _, challenged) = status_of(&app, &second_access).await;
    assert_eq!(
        status, 401,
        "reuse revoked the whole family, its access tokens included"
    );
    assert!(challenged);
    let after = app.graphql(REFRESH, json!({ "t": second_refresh })).await;
    assert_eq!(
        error_code(&after),
        Some("UNAUTHENTICATED"),
        "the family's newest refresh token died too"
    );

    let login = app.login(&email, TEST_PASSWORD).await;
    let access = login["data"]["login"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let out = app
        .graphql_with(&access, "mutation { logout }", json!({}))
        .await;
    assert_eq!(out["data"]["logout"], true, "{out}");
    assert_eq!(
        status_of(&app, &access).await.0,
        401,
        "logout takes effect at once"
    );
}

async fn five_failures_lock_an_email_whether_or_not_it_exists(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let known = app.account("analyst").await;
    for email in [known.as_str(), "nobody@test.example"] {
        let mut messages = Vec::new();
        for _ in 0..5 {
            let body = app.login(email, "wrong password!!").await;
            assert_eq!(error_code(&body), Some("UNAUTHENTICATED"), "{body}");
            messages.push(body["errors"][0]["message"].as_str().unwrap().to_owned());
        }
        assert!(
            messages.iter().all(|m| m == "invalid e-mail or password"),
            "{messages:?}"
        );
        let locked = app.login(email, TEST_PASSWORD).await;
        assert_eq!(
            error_code(&locked),
            Some("RATE_LIMITED"),
            "{email}: {locked}"
        );
    }
}

fn payload(token: &str) -> Value {
    let part = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

fn sign(key: &EncodingKey, kid: Option<&str>, claims: &Value) -> String {
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = kid.map(str::to_owned);
    encode(&header, claims, key).unwrap()
}

async fn forged_and_stale_tokens_are_refused_with_401(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let token = app.token_for("supervisor").await;
    let real = payload(&token);
    let header: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(token.split('.').next().unwrap())
            .unwrap(),
    )
    .unwrap();
    let kid = header["kid"].as_str().unwrap().to_owned();
    let pem = std::fs::read(app.settings.data_dir.join("jwt-ed25519.pem")).unwrap();
    let key = EncodingKey::from_ed_pem(&pem).unwrap();
    let other_dir = tempfile::tempdir().unwrap();
    let other_path = other_dir.path().join("other.pem");
    api::auth::keys::generate(&other_path).unwrap();
    let other = EncodingKey::from_ed_pem(&std::fs::read(&other_path).unwrap()).unwrap();
    let now = Utc::now().timestamp();
    let with = |patch: Value| {
        let mut claims = real.clone();
        for (k, v) in patch.as_object().unwrap() {
            claims[k] = v.clone();
        }
        claims
    };
    let none_token = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#),
        URL_SAFE_NO_PAD.encode(real.to_string())
    );
    let hs256 = {
        let mut h = Header::new(Algorithm::HS256);
        h.kid = Some(kid.clone());
        encode(&h, &real, &EncodingKey::from_secret(&pem).unwrap()).unwrap()
    };
    let cases: Vec<(&str, String)> = vec![
        ("garbage", "not-a-token".to_owned()),
        ("alg none", none_token),
        ("another algorithm (HS256 keyed with the key file)", hs256),
        ("bad signature", sign(&other, Some(&kid), &real)),
        ("unknown kid", sign(&key, Some("0000000000000000"), &real)),
        ("no kid", sign(&key, None, &real)),
        (
            "expired",
            sign(
                &key,
                Some(&kid),
                &with(json!({ "exp": now - 3600, "iat": now - 7200, "nbf": now - 7200 })),
            ),
        ),
        (
            "not yet valid",
            sign(&key, Some(&kid), &with(json!({ "nbf": now + 3600 }))),
        ),
        (
            "wrong issuer",
            sign(&key, Some(&kid), &with(json!({ "iss": "someone-else" }))),
        ),
        (
            "wrong audience",
            sign(&key, Some(&kid), &with(json!({ "aud": "another-api" }))),
        ),
        (
            "unknown session",
            sign(
                &key,
                Some(&kid),
                &with(json!({ "sid": "00000000-0000-0000-0000-000000000000" })),
            ),
        ),
        ("unknown partner token", "pt_99999_deadbeef".to_owned()),
    ];
    for (case, forged) in cases {
        let (status, body, challenged) = status_of(&app, &forged).await;
        assert_eq!(status, 401, "{case}: {body}");
        assert!(challenged, "{case}: WWW-Authenticate");
        assert_eq!(error_code(&body), Some("UNAUTHENTICATED"), "{case}");
    }
    let basic = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("authorization", "Basic YTpi")
        .json(&json!({ "query": ME }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        basic.status(),
        401,
        "a non-bearer credential is refused, not ignored"
    );

    // A valid token of a locked, then deleted, account.
    let user_id: i64 = real["sub"].as_str().unwrap().parse().unwrap();
    let user = entity::user::Entity::find_by_id(user_id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let mut locked: entity::user::ActiveModel = user.clone().into();
    locked.locked_until = Set(Some(Utc::now() + chrono::Duration::hours(1)));
    locked.update(&app.db).await.unwrap();
    assert_eq!(status_of(&app, &token).await.0, 401, "locked account");
    let mut deleted: entity::user::ActiveModel = user.into();
    deleted.locked_until = Set(None);
    deleted.deleted_at = Set(Some(Utc::now()));
    deleted.update(&app.db).await.unwrap();
    assert_eq!(status_of(&app, &token).await.0, 401, "deleted account");
}

async fn anonymous_callers_reach_only_login_refresh_and_logout(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    for query in [
        "{ agenda { date } }",
        "{ zones { code } }",
        ME,
        "mutation { pauseScoring(reason: \"x\") { __typename } }",
    ] {
        let body = app.graphql(query, json!({})).await;
        assert_eq!(
            error_code(&body),
            Some("UNAUTHENTICATED"),
            "{query}: {body}"
        );
    }
    let body = app.login("nobody@test.example", "whatever-password").await;
    assert_eq!(
        error_code(&body),
        Some("UNAUTHENTICATED"),
        "login is reachable and answers"
    );
    let body = app.graphql("mutation { logout }", json!({})).await;
    assert_eq!(body["data"]["logout"], false, "{body}");
}

const ISSUE: &str = r#"mutation($input: IssuePartnerTokenInput!) { issuePartnerToken(input: $input) { token { id scopes } secret } }"#;

async fn org_id(app: &TestApp, code: &str) -> Value {
    let body = app
        .graphql_as("admin", "{ organizations { id code } }", json!({}))
        .await;
    body["data"]["organizations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["code"] == code)
        .unwrap()["id"]
        .clone()
}

async fn partner_tokens_do_what_their_scopes_allow_until_revoked(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let rtm = org_id(&app, "rtm").await;
    let issued = app
        .graphql_as("admin", ISSUE, json!({ "input": { "organizationId": rtm, "label": "RTM agenda", "scopes": ["read:agenda"], "purposes": ["event_planning"], "days": 30 } }))
        .await;
    let secret = issued["data"]["issuePartnerToken"]["secret"]
        .as_str()
        .unwrap_or_else(|| panic!("{issued}"))
        .to_owned();
    let id = issued["data"]["issuePartnerToken"]["token"]["id"].clone();
    let agenda = app
        .graphql_with(&secret, "{ agenda(days: 1) { date } }", json!({}))
        .await;
    assert!(
        agenda["data"]["agenda"].is_array(),
        "read:agenda reads the agenda: {agenda}"
    );
    let create = app
        .graphql_with(
            &secret,
            "mutation { pauseScoring(reason: \"x\") { __typename } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&create), Some("FORBIDDEN"), "{create}");
    let listed = app
        .graphql_as("admin", "{ partnerTokens { id lastUsedAt } }", json!({}))
        .await;
    let row = listed["data"]["partnerTokens"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id)
        .unwrap()
        .clone();
    assert!(row["lastUsedAt"].is_string(), "last use recorded: {row}");
    for (input, why) in [
        (
            json!({ "organizationId": rtm, "label": "x", "scopes": ["write:everything"], "purposes": [], "days": 30 }),
            "unknown scope",
        ),
        (
            json!({ "organizationId": rtm, "label": "x", "scopes": ["read:agenda"], "purposes": ["curiosity"], "days": 30 }),
            "unknown purpose",
        ),
        (
            json!({ "organizationId": rtm, "label": "x", "scopes": ["read:agenda"], "purposes": [], "days": 0 }),
            "no validity",
        ),
    ] {
        let body = app
            .graphql_as("admin", ISSUE, json!({ "input": input }))
            .await;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{why}: {body}");
    }
    let revoked = app
        .graphql_as(
            "admin",
            "mutation($id: ID!) { revokePartnerToken(id: $id) { revokedAt } }",
            json!({ "id": id }),
        )
        .await;
    assert!(
        revoked["data"]["revokePartnerToken"]["revokedAt"].is_string(),
        "{revoked}"
    );
    let (status, _, _) = status_of(&app, &secret).await;
    assert_eq!(
        status, 401,
        "revocation takes effect on the very next request"
    );
}

async fn tokens_of_a_retired_key_still_verify_during_a_rotation(backend: Backend) {
    let keys = tempfile::tempdir().unwrap();
    let old_private = keys.path().join("old.pem");
    api::auth::keys::generate(&old_private).unwrap();
    let old_public = keys.path().join("old.pub.pem");
    let private_pem = std::fs::read_to_string(&old_private).unwrap();
    std::fs::write(
        &old_public,
        api::auth::keys::public_pem(&private_pem).unwrap(),
    )
    .unwrap();
    let Some(app) = TestApp::spawn_with(backend, |s| {
        s.auth.verify_key_files = vec![old_public.clone()]
    })
    .await
    else {
        return;
    };
    let jwks: Value = app
        .client
        .get(format!("{}/.well-known/jwks.json", app.address))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let kids: Vec<String> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        kids.len(),
        2,
        "current and retired keys are published: {jwks}"
    );
    let current = app.token_for("analyst").await;
    let claims = payload(&current);
    let header: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(current.split('.').next().unwrap())
            .unwrap(),
    )
    .unwrap();
    let retired_kid = kids.iter().find(|k| **k != header["kid"]).unwrap();
    let old_key = EncodingKey::from_ed_pem(private_pem.as_bytes()).unwrap();
    let signed_by_retired = sign(&old_key, Some(retired_kid), &claims);
    let (status, body, _) = status_of(&app, &signed_by_retired).await;
    assert_eq!(
        status, 200,
        "a token of the retired key still verifies: {body}"
    );
    let wrong_kid = sign(&old_key, Some(header["kid"].as_str().unwrap()), &claims);
    assert_eq!(
        status_of(&app, &wrong_kid).await.0,
        401,
        "each key verifies only under its own kid"
    );
}

async fn an_account_whose_role_contradicts_its_organization_is_refused(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let orgs = app
        .graphql_as("admin", "{ organizations { id code } }", json!({}))
        .await;
    let id_of = |code: &str| {
        orgs["data"]["organizations"]
            .as_array()
            .unwrap_or_else(|| panic!("{orgs}"))
            .iter()
            .find(|o| o["code"] == code)
            .unwrap_or_else(|| panic!("{code} is seeded: {orgs}"))["id"]
            .clone()
    };
    const CREATE: &str =
        "mutation New($input: CreateUserInput!) { createUser(input: $input) { email role } }";
    let users_before = app.count("app_user").await;
    for (role, org, rule) in [
        ("partner", "csu", "PARTNER_ROLE_IN_CITY_ORGANIZATION"),
        ("supervisor", "rtm", "CITY_ROLE_IN_PARTNER_ORGANIZATION"),
        ("dpo", "rtm", "CITY_ROLE_IN_PARTNER_ORGANIZATION"),
    ] {
        let body = app
            .graphql_as(
                "admin",
                CREATE,
                json!({ "input": { "email": format!("{role}.{org}@example.org"), "role": role, "organizationId": id_of(org), "password": "a long enough password" } }),
            )
            .await;
        assert_eq!(
            error_code(&body),
            Some("POLICY_VIOLATION"),
            "{role} in {org}: {body}"
        );
        assert_eq!(body["errors"][0]["extensions"]["rule"], rule, "{body}");
    }
    assert_eq!(app.count("app_user").await, users_before, "nothing stored");
    // The register's own pairs are accepted.
    for (role, org) in [("partner", "rtm"), ("analyst", "csu")] {
        let body = app
            .graphql_as(
                "admin",
                CREATE,
                json!({ "input": { "email": format!("{role}.{org}@example.org"), "role": role, "organizationId": id_of(org), "password": "a long enough password" } }),
            )
            .await;
        assert_eq!(body["data"]["createUser"]["role"], role, "{body}");
    }
    assert_eq!(app.count("app_user").await, users_before + 2);
}

async fn a_password_hashed_with_older_parameters_is_upgraded_at_login(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let email = app.account("analyst").await;
    // The hash an earlier default (more memory, fewer passes) would have stored.
    let mut older = app.settings.auth.clone();
    older.argon2_memory_kib = 2048;
    older.argon2_iterations = 2;
    let older = api::auth::passwords::PasswordService::new(&older).expect("hasher");
    let old_hash = older.hash(TEST_PASSWORD.to_owned()).await.expect("hash");
    let stored = || async {
        entity::user::Entity::find()
            .filter(entity::user::Column::Email.eq(email.clone()))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap()
    };
    let mut active: entity::user::ActiveModel = stored().await.into();
    active.password_hash = Set(old_hash.clone());
    active.update(&app.db).await.unwrap();

    let current = api::auth::passwords::PasswordService::new(&app.settings.auth).expect("hasher");
    assert!(current.outdated(&old_hash));
    // A wrong password changes nothing.
    let refused = app.login(&email, "not the right password").await;
    assert_eq!(error_code(&refused), Some("UNAUTHENTICATED"), "{refused}");
    assert_eq!(stored().await.password_hash, old_hash);
    // The right one logs in and stores the hash again with today's parameters.
    let login = app.login(&email, TEST_PASSWORD).await;
    assert!(login["data"]["login"]["accessToken"].is_string(), "{login}");
    let new_hash = stored().await.password_hash;
    assert_ne!(new_hash, old_hash);
    assert!(!current.outdated(&new_hash), "{new_hash}");
    assert!(new_hash.contains("m=1024,t=1,p=1"), "{new_hash}");
    let again = app.login(&email, TEST_PASSWORD).await;
    assert!(again["data"]["login"]["accessToken"].is_string(), "{again}");
    assert_eq!(stored().await.password_hash, new_hash, "upgraded once");
}

on_both_backends!(
    a_password_hashed_with_older_parameters_is_upgraded_at_login,
    an_account_whose_role_contradicts_its_organization_is_refused,
    tokens_of_a_retired_key_still_verify_during_a_rotation,
    refresh_rotates_reuse_revokes_the_session_and_logout_ends_it,
    five_failures_lock_an_email_whether_or_not_it_exists,
    forged_and_stale_tokens_are_refused_with_401,
    anonymous_callers_reach_only_login_refresh_and_logout,
    partner_tokens_do_what_their_scopes_allow_until_revoked,
);
