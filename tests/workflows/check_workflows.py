#!/usr/bin/env python3
"""Checks .github/workflows/*.yml: they validate against GitHub's workflow schema and keep the
pipeline's rules (README: "Deploying from CI").

  schema    each file against SchemaStore's github-workflow.json, through @action-validator/cli
            (scripts/install-deps puts it in build/tools/action-validator; no validator, no pass)
  commands  every lambdeploy invocation in a `run:` step names a command the README documents
  make      every `make` target used exists in the Makefile; a job that runs build/<P>/... builds P
  triggers  push to dev deploys dev, push to main deploys qa, both after a job that runs
            `make test`; prod only from a workflow_dispatch-only workflow, in `environment: prod`;
            tests run on every push and pull request
  access    jobs that talk to AWS have `id-token: write`, jobs that push have `contents: write`
  uses      no action but GitHub's own (actions/*)

  check_workflows.py [--repo DIR] [--validator CLI.mjs]   check the repository's workflows
  check_workflows.py --self-test                           show that each rule catches a breach
"""
import argparse
import copy
import fnmatch
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

try:
    import yaml
except ImportError:  # a clear failure, not a traceback
    sys.exit("check_workflows: FAIL: the Python module yaml is missing: run scripts/install-deps "
             "(Debian's python3-yaml)")

# Where each stage is deployed from: the branch whose pushes deploy it.
BRANCH_STAGES = {"dev": "dev", "main": "qa"}
PROD = "prod"
# lambdeploy's global options (README: "Global options"), with and without a value.
GLOBAL_FLAGS = {"--json", "--quiet", "-q", "--local", "--no-color", "-v", "-vv", "-vvv",
                "--verbose"}
GLOBAL_VALUED = {"--config", "-c", "--region", "--profile", "--endpoint-url"}
# Commands that need no AWS access (everything else does, and needs the OIDC token).
OFFLINE_COMMANDS = {"version", "package", "local"}
VALIDATOR = "build/tools/action-validator/node_modules/@action-validator/cli/cli.mjs"

# `lambdeploy` or a path ending in /lambdeploy, as a command word (not lambdeploy.toml, not
# lambdeploy-pack, not apps/lambdeploy/ as a folder).
LAMBDEPLOY = re.compile(r"(?:(?<=^)|(?<=[\s;&|(`\"']))(?:[\w./${}*-]*/)?lambdeploy[\"']?(?=[ \t])")
# `make` where a command starts (not `make` as an argument, as in `apt-get install make`).
MAKE = re.compile(r"(?:^|[;&|(`]|\b(?:then|do|else|time|sudo|exec|env))[ \t]*make(?=[ \t]|$)", re.M)
# A build tree of a CMake preset (build/tools holds the validator, not a preset).
BUILD_TREE = re.compile(r"(?<![\w/.-])build/(?!tools/)([\w-]+)/")
# A step's `uses:` of GitHub's own actions, with a version.
GITHUB_ACTION = re.compile(r"actions/[\w.-]+(/[\w./-]+)?@[\w.-]+")
# What writes to the repository: a push, a tag or release made through GitHub's API.
GIT_PUSH = re.compile(r"(?<![\w-])git\s+push\b|\bgh\s+release\s+(create|upload|edit|delete)\b")


# ---------------------------------------------------------------------------------------------
# Reading the README, the Makefile and the workflows


def words_after(text):
    """The shell words of one command: up to the end of the line or a shell operator."""
    line = re.split(r"\n|;|&&|\|\||\||\)|`|#|>", text, maxsplit=1)[0]
    try:
        return shlex.split(line)
    except ValueError:  # an unbalanced quote: plain split is good enough to find the command
        return line.split()


def lambdeploy_commands(text):
    """(command, its words) for every lambdeploy invocation in shell text."""
    found = []
    for match in LAMBDEPLOY.finditer(text):
        words = words_after(text[match.end():])
        i = 0
        while i < len(words):
            word = words[i]
            if word in GLOBAL_FLAGS or (word.startswith("--") and "=" in word
                                        and word.split("=")[0] in GLOBAL_VALUED):
                i += 1
            elif word in GLOBAL_VALUED:
                i += 2
            else:
                break
        if i < len(words) and re.fullmatch(r"[a-z][a-z0-9-]*", words[i]):
            found.append((words[i], words[i + 1:]))
    return found


def listed(names):
    return ", ".join(sorted(names))


def strip_comments(script):
    """A shell script without its comments (a # at a line's start or after a blank)."""
    return "\n".join(re.sub(r"(^|\s)#.*$", r"\1", line) for line in script.splitlines())


def readme_commands(readme):
    """The commands the README documents: the first column of a table headed `command`, and
    every lambdeploy invocation in its code (fenced blocks and inline code), never its prose."""
    commands = set()
    in_command_table = False
    for line in readme.splitlines():
        if not line.startswith("|"):
            in_command_table = False
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells[0].lower() == "command":
            in_command_table = True
        elif in_command_table and not re.fullmatch(r"[-: ]+", cells[0]):
            for code in re.findall(r"`([^`]+)`", cells[0]):
                word = code.split()[0]
                if re.fullmatch(r"[a-z][a-z0-9-]*", word):
                    commands.add(word)
    code = re.findall(r"^```[^\n]*\n(.*?)^```", readme, flags=re.S | re.M)
    code += re.findall(r"`([^`\n]+)`", re.sub(r"^```.*?^```", "", readme, flags=re.S | re.M))
    for block in code:
        commands.update(command for command, _ in lambdeploy_commands(strip_comments(block)))
    return commands


def makefile_targets(makefile):
    targets = set()
    for line in makefile.splitlines():
        match = re.match(r"^([A-Za-z0-9_.%/-]+(?:[ \t]+[A-Za-z0-9_.%/-]+)*)[ \t]*:(?!=)", line)
        if match:
            targets.update(t for t in match.group(1).split() if not t.startswith("."))
    return targets


def make_invocation(rest):
    """(targets, variables) of one `make`, given the text after it."""
    targets, variables, skip = [], {}, False
    for word in words_after(rest):
        if skip:
            skip = False
        elif word in ("-C", "-f", "--file", "--directory", "-I", "-o", "-W"):
            skip = True
        elif word.startswith("-") or word.isdigit():
            continue
        elif "=" in word:
            name, value = word.split("=", 1)
            variables[name] = value
        else:
            targets.append(word)
    return targets or ["<default>"], variables


def stage_of(words):
    """The value of --stage / -s in a command's words."""
    for i, word in enumerate(words):
        if word.startswith("--stage="):
            return word.split("=", 1)[1]
        if word in ("--stage", "-s") and i + 1 < len(words):
            return words[i + 1]
    return None


def load_workflow(text):
    doc = yaml.safe_load(text)
    if isinstance(doc, dict) and True in doc and "on" not in doc:  # YAML 1.1 reads `on` as true
        doc["on"] = doc.pop(True)
    return doc


def triggers(doc):
    on = doc.get("on")
    if isinstance(on, str):
        return {on: {}}
    if isinstance(on, list):
        return {name: {} for name in on}
    return {name: (value or {}) for name, value in (on or {}).items()}


def run_steps(job):
    for number, step in enumerate(job.get("steps") or [], 1):
        if isinstance(step, dict) and isinstance(step.get("run"), str):
            # One line per command: continuation lines joined, comments dropped.
            yield number, step, strip_comments(re.sub(r"\\\n", " ", step["run"]))


def where(file, job_id=None, number=None, step=None):
    text = file
    if job_id is not None:
        text += f": job {job_id}"
    if number is not None:
        name = step.get("name") or step.get("uses") or (step.get("run") or "").split("\n")[0]
        text += f": step {number} ({name!r})"
    return text


def permission(doc, job, name):
    """The job's effective permission `name`: its own permissions, else the workflow's."""
    perms = job.get("permissions", doc.get("permissions"))
    if perms == "write-all":
        return "write"
    if perms == "read-all":
        return "read"
    if isinstance(perms, dict):
        return perms.get(name, "none")
    return "none" if perms is not None else "default"


def environment_name(job):
    env = job.get("environment")
    return env.get("name") if isinstance(env, dict) else env


def conditions(expression):
    """The top-level && terms of an `if:`, or None when it is not a plain conjunction."""
    if expression is None:
        return []
    text = str(expression).strip()
    if text.startswith("${{") and text.endswith("}}"):
        text = text[3:-2]
    if "||" in text or "!(" in text.replace(" ", ""):
        return None
    return [re.sub(r"\s+", " ", term.strip()) for term in text.split("&&")]


def branch_matches(patterns, branch):
    return any(fnmatch.fnmatchcase(branch, p.replace("**", "*")) for p in patterns)


def push_covers(doc, branch):
    push = triggers(doc).get("push")
    if push is None:
        return False
    if "branches" in push:
        return branch_matches(push["branches"] or [], branch)
    if "branches-ignore" in push:
        return not branch_matches(push["branches-ignore"] or [], branch)
    return "tags" not in push and "paths" not in push and "paths-ignore" not in push


# ---------------------------------------------------------------------------------------------
# The rules


def check_rules(workflows, documented, targets):
    """Every breach of the rules, each naming the workflow file, the job and the step."""
    failures = []
    deployers = {}  # stage -> [(file, job id)]
    test_jobs = {}  # file -> ids of jobs that run `make test`
    for file, doc in workflows.items():
        if not isinstance(doc, dict) or not isinstance(doc.get("jobs"), dict):
            failures.append(f"{file}: no jobs")
            continue
        for job_id, job in doc["jobs"].items():
            if not isinstance(job, dict):
                continue
            if isinstance(job.get("uses"), str) and not job["uses"].startswith("actions/"):
                failures.append(f"{where(file, job_id)}: uses {job['uses']}: only GitHub's own "
                                "actions (actions/*) are allowed")
            for number, step in enumerate(job.get("steps") or [], 1):
                uses = step.get("uses") if isinstance(step, dict) else None
                if uses is not None and not GITHUB_ACTION.fullmatch(uses):
                    failures.append(f"{where(file, job_id, number, step)}: uses {uses}: only "
                                    "GitHub's own actions (actions/*, with a version) are allowed")
            built, talks_to_aws, pushes = set(), False, False
            for number, step, script in run_steps(job):
                here = where(file, job_id, number, step)
                for command, words in lambdeploy_commands(script):
                    if command not in documented:
                        failures.append(f"{here}: `lambdeploy {command}`: the README documents "
                                        f"no such command (it has: {listed(documented)})")
                    if command not in OFFLINE_COMMANDS:
                        talks_to_aws = True
                    if command == "deploy":
                        stage = stage_of(words)
                        if stage is None:
                            failures.append(f"{here}: `lambdeploy deploy` without --stage")
                        else:
                            deployers.setdefault(stage, []).append((file, job_id, number, step))
                # In the order they come: a `make build` must come before a build/<preset>/ use.
                events = [(m.start(), "make", m) for m in MAKE.finditer(script)]
                events += [(m.start(), "tree", m) for m in BUILD_TREE.finditer(script)]
                for _, kind, match in sorted(events, key=lambda e: e[0]):
                    if kind == "tree":
                        preset = match.group(1)
                        if preset not in built:
                            failures.append(f"{here}: uses build/{preset}/ but no step of the job "
                                            f"before it runs `make build"
                                            f"{'' if preset == 'dev' else ' PRESET=' + preset}`")
                            built.add(preset)  # once per job is enough
                        continue
                    make_targets, variables = make_invocation(script[match.end():])
                    for target in make_targets:
                        if target not in targets:
                            failures.append(f"{here}: `make {target}`: the Makefile has no such "
                                            f"target (it has: {listed(targets)})")
                    if "build" in make_targets or "test" in make_targets:
                        built.add(variables.get("PRESET", "dev"))
                    if "test" in make_targets and variables.get("PRESET", "dev") == "dev":
                        test_jobs.setdefault(file, set()).add(job_id)
                if GIT_PUSH.search(script):
                    pushes = True
            if talks_to_aws and permission(doc, job, "id-token") != "write":
                failures.append(f"{where(file, job_id)}: runs lambdeploy against AWS but lacks "
                                "`permissions: id-token: write` (the OIDC token)")
            if pushes and permission(doc, job, "contents") != "write":
                failures.append(f"{where(file, job_id)}: pushes to the repository but lacks "
                                "`permissions: contents: write`")

    # Tests on every push and every pull request: a job that runs `make test` with no `if:`.
    if not any(push_covers(workflows[f], "any-branch") and "pull_request" in triggers(workflows[f])
               and any("if" not in workflows[f]["jobs"][j] for j in ids)
               for f, ids in test_jobs.items()):
        failures.append("no workflow runs `make test` on every push and every pull request")

    for stage in ("dev", "qa", PROD):
        if stage not in deployers:
            failures.append(f"no job deploys stage {stage} (`lambdeploy deploy --stage {stage}`)")
    for stage, places in deployers.items():
        for file, job_id, number, step in places:
            doc, job = workflows[file], workflows[file]["jobs"][job_id]
            here = where(file, job_id, number, step)
            on = triggers(doc)
            if stage == PROD:
                if set(on) != {"workflow_dispatch"}:
                    failures.append(f"{here}: deploys prod from a workflow triggered by "
                                    f"{', '.join(sorted(on))}: prod only by workflow_dispatch")
                if environment_name(job) != PROD:
                    failures.append(f"{where(file, job_id)}: deploys prod outside "
                                    "`environment: prod` (whose reviewers approve it)")
                continue
            branch = {s: b for b, s in BRANCH_STAGES.items()}.get(stage)
            if branch is None:
                failures.append(f"{here}: deploys stage {stage}, which no rule allows from CI")
                continue
            terms = conditions(job.get("if"))
            if terms is None:
                failures.append(f"{where(file, job_id)}: `if: {job.get('if')}` is not a plain "
                                "conjunction (&&), so its branch cannot be checked")
                continue
            if not push_covers(doc, branch):
                failures.append(f"{where(file, job_id)}: deploys {stage}, but the workflow does "
                                f"not run on pushes to {branch}")
            only_push = set(on) == {"push"}
            if not only_push and "github.event_name == 'push'" not in terms:
                failures.append(f"{where(file, job_id)}: deploys {stage} on events other than "
                                f"push ({', '.join(sorted(on))}): add "
                                "`github.event_name == 'push'` to its `if:`")
            on_branch = {f"github.ref == 'refs/heads/{branch}'", f"github.ref_name == '{branch}'"}
            pinned = (only_push and (on["push"] or {}).get("branches") == [branch])
            if not (on_branch & set(terms)) and not pinned:
                failures.append(f"{where(file, job_id)}: deploys {stage}, but its `if:` does "
                                f"not require `github.ref == 'refs/heads/{branch}'`")
            other = [t for t in terms
                     if re.search(r"github\.ref(_name)? ==", t) and t not in on_branch]
            if other:
                failures.append(f"{where(file, job_id)}: deploys {stage} but also requires "
                                f"{other[0]}: {stage} is deployed from {branch} only")
            if not needs_test(doc, job_id, test_jobs.get(file, set())):
                failures.append(f"{where(file, job_id)}: deploys {stage} without `needs:` on a job "
                                "that runs `make test`")
    return failures


def needs_test(doc, job_id, test_jobs, seen=None):
    seen = seen or set()
    needs = doc["jobs"][job_id].get("needs") or []
    needs = [needs] if isinstance(needs, str) else needs
    for need in needs:
        if need in test_jobs:
            return True
        if need not in seen and need in doc["jobs"]:
            seen.add(need)
            if needs_test(doc, need, test_jobs, seen):
                return True
    return False


# ---------------------------------------------------------------------------------------------
# The schema


def validator_command(repo, validator):
    node = shutil.which("node") or shutil.which("nodejs")
    cli = validator or os.path.join(repo, VALIDATOR)
    if node is None:
        return None, ("node is missing: run scripts/install-deps (Debian's nodejs and npm); the "
                      "workflow schema cannot be checked without it")
    if not os.path.exists(cli):
        return None, (f"the workflow schema validator is missing ({cli}): run scripts/install-deps "
                      "(it installs @action-validator/cli, which carries SchemaStore's "
                      "github-workflow.json, from the npm registry)")
    return [node, cli], None


def flatten(errors):
    """The leaf errors of an action-validator error list, as "path: what"."""
    for error in errors:
        if error.get("states"):
            for state in error["states"]:
                yield from flatten(state.get("errors") or [])
        else:
            yield f"{error.get('path', '/')}: {error.get('detail') or error.get('title')}"


def schema_errors(command, path, shown_as):
    """The schema's complaints about one workflow file, or [] when it validates."""
    result = subprocess.run(command + [path], capture_output=True, text=True, timeout=60)
    if result.returncode == 0:
        return []
    try:
        state = json.loads(result.stderr)
        errors = state.get("errors") or []
    except ValueError:
        output = (result.stderr or result.stdout).strip()
        return [f"{shown_as}: the schema validator failed: {output}"]
    messages = []
    for error in errors:
        location = error.get("location")
        at = f"line {location.get('line')}, column {location.get('column')}" if location \
            else error.get("path") or "/"
        # A oneOf/anyOf failure carries each alternative's errors: name their leaves, once each.
        leaves = []
        for state in error.get("states") or []:
            for leaf in flatten(state.get("errors") or []):
                if leaf not in leaves:
                    leaves.append(leaf)
        why = error.get("detail") or "; or ".join(leaves[:6]) or ""
        messages.append(f"{shown_as}: does not validate against GitHub's workflow schema at {at}: "
                        f"{error.get('title')}{': ' + why if why else ''}")
    return messages or [f"{shown_as}: the schema validator failed: {result.stderr.strip()}"]


# ---------------------------------------------------------------------------------------------


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def load(repo):
    folder = os.path.join(repo, ".github", "workflows")
    files = sorted(f for f in os.listdir(folder) if f.endswith((".yml", ".yaml"))) \
        if os.path.isdir(folder) else []
    texts = {f".github/workflows/{f}": read(os.path.join(folder, f)) for f in files}
    return (texts, readme_commands(read(os.path.join(repo, "README.md"))),
            makefile_targets(read(os.path.join(repo, "Makefile"))))


def check(repo, validator):
    texts, documented, targets = load(repo)
    if not texts:
        return [".github/workflows: no workflow files"]
    failures = []
    command, problem = validator_command(repo, validator)
    if problem:
        failures.append(f"schema: {problem}")
    else:
        for name in texts:
            failures += schema_errors(command, os.path.join(repo, name), name)
    workflows = {}
    for name, text in texts.items():
        try:
            workflows[name] = load_workflow(text)
        except yaml.YAMLError as error:
            failures.append(f"{name}: not YAML: {error}")
    return failures + check_rules(workflows, documented, targets)


def self_test(repo, validator):
    """Each rule, shown to catch a breach made in a copy of the real workflows."""
    texts, documented, targets = load(repo)
    base = {name: load_workflow(text) for name, text in texts.items()}
    pipeline, prod = ".github/workflows/pipeline.yml", ".github/workflows/deploy-prod.yml"
    problems = []
    if check_rules(base, documented, targets):
        problems.append("the real workflows do not pass the rules; run without --self-test")

    def step_with(doc, job_id, needle):
        return next(s for s in doc["jobs"][job_id]["steps"] if needle in (s.get("run") or ""))

    def breach(name, expect, change):
        workflows = copy.deepcopy(base)
        try:
            change(workflows)
        except (KeyError, StopIteration, TypeError) as error:
            problems.append(f"self-test: cannot make the breach {name!r} in the workflows "
                            f"(pipeline.yml jobs test/dev/qa, deploy-prod.yml job prod): {error!r}")
            return
        found = check_rules(workflows, documented, targets)
        if not any(expect in f for f in found):
            problems.append(f"rule not caught: {name} (wanted a failure with {expect!r}, got "
                            f"{found or 'none'})")

    breach("a third-party action", "only GitHub's own actions",
           lambda w: w[pipeline]["jobs"]["dev"]["steps"].insert(
               0, {"uses": "aws-actions/configure-aws-credentials@v4"}))
    breach("an undocumented command", "`lambdeploy frobnicate`",
           lambda w: step_with(w[pipeline], "qa", "smoke").update(
               run="build/release/apps/lambdeploy/lambdeploy --json frobnicate --stage qa"))
    breach("a command after global options", "`lambdeploy no-such-command`",
           lambda w: step_with(w[pipeline], "qa", "smoke").update(
               run="lambdeploy --region eu-west-1 -v no-such-command"))
    breach("a make target that does not exist", "`make deploy-everything`",
           lambda w: step_with(w[pipeline], "test", "make test").update(
               run="make deploy-everything"))
    breach("a CLI from a preset the job did not build", "uses build/asan/",
           lambda w: step_with(w[pipeline], "dev", "smoke").update(
               run="build/asan/apps/lambdeploy/lambdeploy smoke --stage dev"))
    breach("a deploy job without id-token: write", "id-token: write",
           lambda w: w[pipeline]["jobs"]["qa"]["permissions"].pop("id-token"))
    breach("a pushing job without contents: write", "contents: write",
           lambda w: w[pipeline]["jobs"]["dev"]["permissions"].pop("contents"))
    breach("prod on push", "prod only by workflow_dispatch",
           lambda w: w[prod]["on"].update(push={"branches": ["main"]}))
    breach("prod outside its environment", "environment: prod",
           lambda w: w[prod]["jobs"]["prod"].pop("environment"))
    breach("prod from the pipeline", "prod only by workflow_dispatch",
           lambda w: step_with(w[pipeline], "qa", "deploy").update(
               run="build/release/apps/lambdeploy/lambdeploy deploy --stage prod --yes"))
    breach("dev deployed from main", "github.ref == 'refs/heads/dev'",
           lambda w: w[pipeline]["jobs"]["dev"].update(
               {"if": "github.event_name == 'push' && github.ref == 'refs/heads/main'"}))
    breach("qa deployed on pull requests", "github.event_name == 'push'",
           lambda w: w[pipeline]["jobs"]["qa"].update({"if": "github.ref == 'refs/heads/main'"}))
    breach("an if: that widens with ||", "not a plain conjunction",
           lambda w: w[pipeline]["jobs"]["qa"].update(
               {"if": "github.event_name == 'push' && github.ref == 'refs/heads/main' || true"}))
    breach("a deploy that does not wait for the tests", "`needs:`",
           lambda w: w[pipeline]["jobs"]["dev"].pop("needs"))
    breach("no tests on pull requests", "every pull request",
           lambda w: w[pipeline]["on"].pop("pull_request"))
    breach("tests on some pushes only", "every pull request",
           lambda w: w[pipeline]["jobs"]["test"].update({"if": "github.ref == 'refs/heads/dev'"}))
    breach("a stage nobody deploys", "no job deploys stage qa",
           lambda w: w[pipeline]["jobs"].pop("qa"))

    # The README parser: commands from the table and the code, none from the prose.
    sample = ("lambdeploy takes a service\n\n| command | what |\n|---|---|\n"
              "| `plan --stage S` | x |\n| `version`, `--version` | y |\n\n"
              "```sh\nlambdeploy --local --region x deploy --stage qa  # lambdeploy says\n```\n"
              "Run `build/dev/apps/lambdeploy/lambdeploy -v smoke`.\n")
    if readme_commands(sample) != {"plan", "version", "deploy", "smoke"}:
        problems.append(f"README parser: got {sorted(readme_commands(sample))}")

    # The schema: a misspelt key and a permission GitHub does not know must be refused.
    command, problem = validator_command(repo, validator)
    if problem:
        problems.append(f"schema: {problem}")
    else:
        text = texts[pipeline]
        for what, broken in (("`runs_on`", text.replace("runs-on:", "runs_on:")),
                             ("`id-token: admin`", text.replace("id-token: write", "id-token: admin"))):
            with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as f:
                f.write(broken)
            try:
                if not schema_errors(command, f.name, f"pipeline.yml with {what}"):
                    problems.append(f"schema: a workflow with {what} validated")
            finally:
                os.unlink(f.name)
    return problems


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repo", default=os.path.dirname(os.path.dirname(here)))
    parser.add_argument("--validator",
                        help=f"the @action-validator/cli script (default: {VALIDATOR})")
    parser.add_argument("--self-test", action="store_true")
    args = parser.parse_args()
    repo = os.path.abspath(args.repo)
    if args.self_test:
        problems = self_test(repo, args.validator)
        for p in problems:
            print(f"FAIL: {p}")
        if problems:
            return 1
        print("check_workflows: every rule catches its breach")
        return 0
    failures = check(repo, args.validator)
    for f in failures:
        print(f"FAIL: {f}")
    if failures:
        print(f"check_workflows: {len(failures)} failure(s)")
        return 1
    texts, documented, _ = load(repo)
    print(f"check_workflows: {len(texts)} workflow(s) valid against GitHub's workflow schema and "
          f"the rules (README commands: {', '.join(sorted(documented))})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
