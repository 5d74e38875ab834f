#!/usr/bin/env bash
# Smoke test: the real Salesforce CLI (node_modules/.bin/sf) against the local org, run exactly as a user runs it.
#
#   npm run smoke:sf            (or: bash scripts/sf-smoke.sh)
#
# Starts `npm run emulator` on a free port with a throwaway data dir, gets a token with the documented local
# connected app (client_credentials), logs in with `sf org login access-token`, then runs the common org,
# sobject and data commands. Every step is checked by its --json output (and, for writes, by reading the
# org back), not only by its exit code. The sf auth store is used exactly as the CLI wrote it. HOME and the
# XDG dirs point into a temp dir, so the user's ~/.sf and ~/.sfdx are never read or written.
# Prints one PASS/FAIL line per step and exits 1 when any step fails. Needs only node (no jq, no curl).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SF="$ROOT/node_modules/.bin/sf"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/leadflow-sf-smoke.XXXXXX")"
EMULATOR_PID=""
FAILED=0
PASSED=0

# The same switches .ci/run sets, plus no update check (it would call npm's registry).
export SF_DISABLE_DNS_CHECK=true SF_DISABLE_TELEMETRY=true SF_AUTOUPDATE_DISABLE=true SF_SKIP_NEW_VERSION_CHECK=true
export HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/home/.config" XDG_DATA_HOME="$WORK/home/.local/share" \
  XDG_CACHE_HOME="$WORK/home/.cache"
unset SF_ACCESS_TOKEN SFDX_ACCESS_TOKEN SF_TARGET_ORG SF_ORG_INSTANCE_URL 2>/dev/null || true
mkdir -p "$HOME"

cleanup() {
  local code=$?
  if [ -n "$EMULATOR_PID" ]; then
    # The emulator runs in its own process group (setsid): npm, sh, tsx and node all stop.
    kill -TERM -- "-$EMULATOR_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$EMULATOR_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$EMULATOR_PID" 2>/dev/null || true
  fi
  if [ "$FAILED" -eq 0 ] && [ "$code" -eq 0 ]; then rm -rf "$WORK"; else echo "sf-smoke: logs and outputs kept in $WORK" >&2; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cd "$WORK"

# ---- helpers -------------------------------------------------------------------------------------------

# json EXPR: evaluates a JS expression over the JSON on stdin (bound to r) and prints the result.
json() { node -e 'const r=JSON.parse(require("fs").readFileSync(0,"utf8"));const v=(0,eval)("(r)=>("+process.argv[1]+")")(r);process.stdout.write(typeof v==="string"?v:JSON.stringify(v))' "$1"; }

# run_sf NAME ARGS...: runs `sf ARGS --json`, output in $WORK/NAME.json (sf exits non-zero on errors; the
# check decides).
run_sf() {
  local name=$1
  shift
  "$SF" "$@" --json >"$WORK/$name.json" 2>"$WORK/$name.stderr" || true
}

# check NAME JS-EXPR: PASS when the expression is true for the JSON output of step NAME.
check() {
  local name=$1 expr=$2 detail
  if detail=$(node -e '
      const fs = require("fs");
      const [file, expr] = process.argv.slice(1);
      let r;
      try { r = JSON.parse(fs.readFileSync(file, "utf8")); } catch (e) { console.log("no JSON output"); process.exit(1); }
      let ok = false;
      try { ok = (0, eval)("(r)=>(" + expr + ")")(r); } catch (e) { console.log("check threw: " + e.message); }
      if (ok !== true) { console.log(JSON.stringify(r).slice(0, 600)); process.exit(1); }
    ' "$WORK/$name.json" "$expr"); then
    PASSED=$((PASSED + 1))
    echo "PASS  $name"
  else
    FAILED=$((FAILED + 1))
    echo "FAIL  $name: expected $expr"
    echo "      got: $detail"
    [ -s "$WORK/$name.stderr" ] && sed 's/^/      stderr: /' "$WORK/$name.stderr" | head -5
  fi
  return 0
}

# soql NAME QUERY: reads the org back with sf data query (its own checked step).
soql() { run_sf "$1" data query -q "$2" -o smoke; }

# ---- the local org --------------------------------------------------------------------------------------

# (sf --version warns on stderr that it cannot spawn `sf` when it is not on PATH; harmless.)
echo "sf-smoke: $("$SF" --version 2>/dev/null)"
(cd "$ROOT" && exec setsid npm run -s emulator -- --port 0 --data-dir "$WORK/org-data" --quiet) >"$WORK/emulator.log" 2>&1 &
EMULATOR_PID=$!
URL=""
for _ in $(seq 1 240); do
  URL=$(sed -n 's/.*listening on \(http:\/\/127\.0\.0\.1:[0-9]*\).*/\1/p' "$WORK/emulator.log" | head -1)
  [ -n "$URL" ] && break
  if ! kill -0 "$EMULATOR_PID" 2>/dev/null; then break; fi
  sleep 0.25
done
if [ -z "$URL" ]; then
  echo "FAIL  emulator did not start:" >&2
  cat "$WORK/emulator.log" >&2
  FAILED=1
  exit 1
fi
echo "sf-smoke: local org at $URL"

# client_credentials with the documented local connected app (docs/emulator.md).
TOKEN=$(URL="$URL" node -e '
  fetch(process.env.URL + "/services/oauth2/token", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "grant_type=client_credentials&client_id=leadflow-local&client_secret=leadflow-local-secret"
  }).then(async (res) => {
    const body = await res.json();
    if (!res.ok || !body.access_token) { console.error("token request failed:", res.status, JSON.stringify(body)); process.exit(1); }
    process.stdout.write(body.access_token);
  }).catch((e) => { console.error(e.message); process.exit(1); });') || { echo "FAIL  token (client_credentials)"; FAILED=1; exit 1; }

# rest METHOD PATH [JSON]: a raw REST call with the token (only to seed data for the tree round trip).
rest() {
  URL="$URL" TOKEN="$TOKEN" node -e '
    const [method, path, body] = process.argv.slice(1);
    fetch(process.env.URL + path, {
      method,
      headers: { authorization: "Bearer " + process.env.TOKEN, "content-type": "application/json" },
      ...(body ? { body } : {})
    }).then(async (res) => { process.stdout.write(await res.text()); if (!res.ok) process.exit(1); });' "$@"
}

# ---- login and org commands ----------------------------------------------------------------------------

SF_ACCESS_TOKEN="$TOKEN" run_sf login org login access-token --instance-url "$URL" --alias smoke --no-prompt
check login 'r.status === 0 && r.result.username === "admin@leadflow.local" && r.result.orgId === "00D000000000001AAA"'

run_sf org-display org display -o smoke
check org-display 'r.status === 0 && r.result.connectedStatus === "Connected" && r.result.username === "admin@leadflow.local"'

run_sf org-list-limits org list limits -o smoke
check org-list-limits 'r.status === 0 && r.result.some((l) => l.name === "DailyApiRequests" && l.max > 0 && l.remaining < l.max)'

run_sf sobject-list sobject list -o smoke
check sobject-list 'r.status === 0 && ["Lead", "Account", "Contact", "Funnel_Stage_Change__c"].every((n) => r.result.includes(n))'

run_sf sobject-describe sobject describe -s Lead -o smoke
check sobject-describe 'r.status === 0 && r.result.name === "Lead" && r.result.keyPrefix === "00Q" && r.result.fields.some((f) => f.name === "Source_External_Id__c" && f.externalId === true)'

# ---- single-record data commands -----------------------------------------------------------------------

run_sf data-create-record data create record -s Lead -v "LastName='Smoke Record' Company='Smoke Co'" -o smoke
check data-create-record 'r.status === 0 && r.result.success === true && /^00Q\w{15}$/.test(r.result.id)'
LEAD_ID=$(json 'r.result && r.result.id || ""' <"$WORK/data-create-record.json" || true)

soql data-query "SELECT Id, LastName, Company FROM Lead WHERE Company = 'Smoke Co'"
check data-query "r.status === 0 && r.result.totalSize === 1 && r.result.records[0].Id === '$LEAD_ID' && r.result.records[0].LastName === 'Smoke Record'"

run_sf data-get-record data get record -s Lead -i "$LEAD_ID" -o smoke
check data-get-record "r.status === 0 && r.result.Id === '$LEAD_ID' && r.result.Company === 'Smoke Co' && r.result.LastName === 'Smoke Record'"

run_sf data-update-record data update record -s Lead -i "$LEAD_ID" -v "Company='Smoke Updated Co' Title='CTO'" -o smoke
check data-update-record "r.status === 0 && r.result.success === true && r.result.id === '$LEAD_ID'"
run_sf data-update-record-readback data get record -s Lead -i "$LEAD_ID" -o smoke
check data-update-record-readback 'r.status === 0 && r.result.Company === "Smoke Updated Co" && r.result.Title === "CTO"'

run_sf data-delete-record data delete record -s Lead -i "$LEAD_ID" -o smoke
check data-delete-record "r.status === 0 && r.result.success === true && r.result.id === '$LEAD_ID'"
soql data-delete-record-readback "SELECT Id FROM Lead WHERE Id = '$LEAD_ID'"
check data-delete-record-readback 'r.status === 0 && r.result.totalSize === 0'

# ---- tree export + import round trip (Accounts with Contacts) ------------------------------------------

rest POST /services/data/v62.0/composite/tree/Account '{"records":[
  {"attributes":{"type":"Account","referenceId":"a1"},"Name":"Smoke Tree Alpha","Industry":"Technology",
   "Contacts":{"records":[{"attributes":{"type":"Contact","referenceId":"c1"},"LastName":"Ames","Email":"ames@alpha.test"},
                          {"attributes":{"type":"Contact","referenceId":"c2"},"LastName":"Baker"}]}},
  {"attributes":{"type":"Account","referenceId":"a2"},"Name":"Smoke Tree Beta",
   "Contacts":{"records":[{"attributes":{"type":"Contact","referenceId":"c3"},"LastName":"Cole"}]}}]}' >"$WORK/tree-seed.json" || true
check tree-seed 'r.hasErrors === false && r.results.length === 5'

mkdir -p "$WORK/tree"
run_sf data-export-tree data export tree -q "SELECT Name, Industry, (SELECT LastName, Email FROM Contacts ORDER BY LastName) FROM Account WHERE Name LIKE 'Smoke Tree%' ORDER BY Name" --output-dir "$WORK/tree" -o smoke
check data-export-tree 'r.status === 0 && r.result.records.length === 2 && r.result.records[0].Name === "Smoke Tree Alpha" && r.result.records[0].Contacts.records.map((c) => c.LastName).join() === "Ames,Baker" && r.result.records[1].Contacts.records.length === 1'
TREE_FILE=$(ls "$WORK/tree"/*.json 2>/dev/null | head -1 || true)
# Import a copy under new names, so the copies can be told apart from the originals.
if [ -n "$TREE_FILE" ]; then
  node -e '
    const fs = require("fs"); const f = process.argv[1];
    const data = JSON.parse(fs.readFileSync(f, "utf8"));
    for (const a of data.records) a.Name = a.Name.replace("Smoke Tree", "Smoke Copy");
    fs.writeFileSync(f, JSON.stringify(data, null, 2));' "$TREE_FILE"
fi
run_sf data-import-tree data import tree --files "${TREE_FILE:-$WORK/tree/missing.json}" -o smoke
check data-import-tree 'r.status === 0 && r.result.length === 5 && r.result.filter((x) => x.type === "Account").length === 2 && r.result.filter((x) => x.type === "Contact").length === 3 && r.result.every((x) => /^00[13]\w{15}$/.test(x.id))'
soql data-import-tree-readback "SELECT Name, Industry, (SELECT LastName, Email FROM Contacts ORDER BY LastName) FROM Account WHERE Name LIKE 'Smoke Copy%' ORDER BY Name"
check data-import-tree-readback 'r.status === 0 && r.result.totalSize === 2 && r.result.records[0].Name === "Smoke Copy Alpha" && r.result.records[0].Industry === "Technology" && r.result.records[0].Contacts.records.map((c) => c.LastName + ":" + (c.Email || "")).join() === "Ames:ames@alpha.test,Baker:" && r.result.records[1].Contacts.records[0].LastName === "Cole"'

# ---- Bulk API 2.0 commands -----------------------------------------------------------------------------

printf 'LastName,Company,Source_External_Id__c\nBulk One,Smoke Bulk,smoke:1\nBulk Two,Smoke Bulk,smoke:2\nBulk Three,Smoke Bulk,smoke:3\n' >"$WORK/insert.csv"
run_sf data-import-bulk data import bulk -s Lead -f "$WORK/insert.csv" -w 5 -o smoke
check data-import-bulk 'r.status === 0 && r.result.processedRecords === 3 && r.result.successfulRecords === 3 && r.result.failedRecords === 0'

printf 'LastName,Company,Source_External_Id__c\nBulk One Updated,Smoke Bulk,smoke:1\nBulk Four,Smoke Bulk,smoke:4\n' >"$WORK/upsert.csv"
run_sf data-upsert-bulk data upsert bulk -s Lead -f "$WORK/upsert.csv" -i Source_External_Id__c -w 5 -o smoke
check data-upsert-bulk 'r.status === 0 && r.result.jobInfo.state === "JobComplete" && r.result.jobInfo.numberRecordsProcessed === 2 && r.result.jobInfo.numberRecordsFailed === 0'

BULK_SOQL="SELECT Id, LastName, Source_External_Id__c FROM Lead WHERE Company = 'Smoke Bulk' ORDER BY Source_External_Id__c"
run_sf data-export-bulk-csv data export bulk -q "$BULK_SOQL" --output-file "$WORK/export.csv" --result-format csv -w 5 -o smoke
check data-export-bulk-csv 'r.status === 0 && r.result.totalSize === 4'
node -e '
  const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split(/\r?\n/);
  const rows = lines.slice(1).map((l) => l.split(",").map((v) => v.replace(/^"|"$/g, "")));
  const ok = lines[0].replace(/"/g, "") === "Id,LastName,Source_External_Id__c" &&
    rows.map((r) => r[2] + "=" + r[1]).join(";") === "smoke:1=Bulk One Updated;smoke:2=Bulk Two;smoke:3=Bulk Three;smoke:4=Bulk Four" &&
    rows.every((r) => /^00Q\w{15}$/.test(r[0]));
  console.log(JSON.stringify({ ok, lines }));' "$WORK/export.csv" >"$WORK/data-export-bulk-csv-file.json" 2>&1 || echo '{}' >"$WORK/data-export-bulk-csv-file.json"
check data-export-bulk-csv-file 'r.ok === true'

run_sf data-export-bulk-json data export bulk -q "$BULK_SOQL" --output-file "$WORK/export.json" --result-format json -w 5 -o smoke
check data-export-bulk-json 'r.status === 0 && r.result.totalSize === 4'
cp "$WORK/export.json" "$WORK/data-export-bulk-json-file.json" 2>/dev/null || echo '{}' >"$WORK/data-export-bulk-json-file.json"
check data-export-bulk-json-file 'Array.isArray(r) && r.map((x) => x.Source_External_Id__c + "=" + x.LastName).join(";") === "smoke:1=Bulk One Updated;smoke:2=Bulk Two;smoke:3=Bulk Three;smoke:4=Bulk Four"'

node -e '
  const rows = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  process.stdout.write("Id\n" + rows.map((x) => x.Id).join("\n") + "\n");' "$WORK/export.json" >"$WORK/delete.csv" 2>/dev/null || printf 'Id\n' >"$WORK/delete.csv"
run_sf data-delete-bulk data delete bulk -s Lead -f "$WORK/delete.csv" -w 5 -o smoke
check data-delete-bulk 'r.status === 0 && r.result.jobInfo.state === "JobComplete" && r.result.jobInfo.numberRecordsProcessed === 4 && r.result.jobInfo.numberRecordsFailed === 0'
soql data-delete-bulk-readback "SELECT Id FROM Lead WHERE Company = 'Smoke Bulk'"
check data-delete-bulk-readback 'r.status === 0 && r.result.totalSize === 0'

# ---- summary --------------------------------------------------------------------------------------------

echo "sf-smoke: $PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
