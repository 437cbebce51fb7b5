<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en">
<context>
    <name>astra::AgentProposer</name>
    <message>
        <source>Cannot write %1 for the agent: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The agent cannot run: %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot create %1 for the agent.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The agent %1 is not installed: there is no `%2` on PATH. %3, or choose another agent in [proposer] agent.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The agent %1 did not run: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The agent %1 failed with exit status %2: %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The agent %1 was killed by a signal: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A write failed for lack of space: the sandbox&apos;s private /tmp and HOME hold %1 MiB; raise scratch_mb in [proposer] if the agent needs more.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A file grew past the limit of %1 MiB per file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>It ran without network ([proposer] network = &quot;none&quot;): an agent that must reach its model needs network = &quot;host&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The agent %1 wrote more than %2 MiB on stdout; its answer was refused.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The agent %1 finished without changing any file in its checkout and without a diff or change set on stdout.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The agent %1 changed no file in its checkout, and its output is not a change: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Proposed by %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The agent ran with the host&apos;s network (network = &quot;host&quot;) on a machine with an X11 display: it could reach the display&apos;s socket, and with it type into your desktop. Run agents that need the network on a machine without a desktop session.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>It was stopped with every process it started.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>It was stopped with its process group; without a sandbox, a process it moved to a session of its own may still run.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The agent %1 was cancelled. %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The agent %1 did not finish within %2 s ([proposer] timeout_s). %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>In the sandbox only /usr, /etc, the agent&apos;s own folder and [proposer] read_only are visible: an agent installed elsewhere needs what it uses listed in read_only.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::ChangeFeed</name>
    <message>
        <source>Cannot listen for changes on %1: %2. The view refreshes only on its own actions and F5.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot watch %1 for changes; the view refreshes only on its own actions and F5.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading the data version</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading the ledger head</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::Config</name>
    <message>
        <source>%1 or %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the string %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the integer %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the number %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the boolean %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a table</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>an array</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a date</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a date-time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>nothing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the path after &apos;%1&apos; is missing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the path must be relative and must not leave the working folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>expected %1, found %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unknown table</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unknown key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>; never write a secret into .astra.toml, which is committed with the repository: put it in an environment variable and name that variable in proposer.api_key_env</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>; did you mean &apos;%1&apos;?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>; did you mean %1?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>; expected one of: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a table ([%1])</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>an array of tables ([[%1]])</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>an array of strings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>one of %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>did you mean &apos;%1&apos;?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the largest value is %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a number from 0 to 1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>true or false</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a duration such as 30s, 15m, 24h or 7d</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a branch name such as &quot;main&quot;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a path glob such as &quot;src/&quot;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a positive integer (kilobytes)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a string (the command line that runs the tests)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a positive integer (seconds)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a table ([[jobs]])</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a job name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>expected %1, found none (every [[jobs]] entry needs a name and a command)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a command line</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a name no other job has</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 has that name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>an integer, 0 or more</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unknown detector</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a positive integer (failed runs)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a table ([[principles]])</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a principle name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>expected %1, found none (every [[principles]] entry needs a name)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a path glob such as &quot;src/auth/&quot;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a regular expression</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>an empty pattern matches every goal</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 at offset %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a name no other principle has</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>an http:// or https:// URL such as &quot;http://127.0.0.1:8080/v1&quot;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a model name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the name of an environment variable such as &quot;OPENAI_API_KEY&quot;, or &quot;&quot; to send no key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>expected %1 because proposer.kind is &quot;%2&quot;, found none</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>and %n more problem(s)</source>
        <translation>
            <numerusform>and %n more problem</numerusform>
            <numerusform>and %n more problems</numerusform>
        </translation>
    </message>
    <message>
        <source>TOML syntax error: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: no such file; run `astra init` to write a commented default configuration</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: cannot read the configuration: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>expected a duration such as 30s, 15m, 24h or 7d (a positive whole number and one unit: s, m, h or d), found &quot;%1&quot;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>expected a duration greater than zero, such as 30s, 15m, 24h or 7d, found &quot;%1&quot;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>expected a duration such as 30s, 15m, 24h or 7d, found &quot;%1&quot;, which is too long</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a positive integer (mebibytes)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>for %1 write kind = &quot;agent&quot; and agent = &quot;%1&quot;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>an absolute path such as &quot;/opt/agent&quot; or &quot;~/.local/share/pipx/venvs/aider&quot;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the name of an environment variable such as &quot;ANTHROPIC_API_KEY&quot;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is not a branch people merge into</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>patterns are relative to the repository, without a leading /</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no repository path has a . or .. component, so it would never match</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: the configuration is %2 bytes, more than the %3 a configuration may have; it is not read.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a positive integer (files)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a positive integer (people who approve)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>expected a duration of 2 s or more (a worker renews its lease every third of it)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a positive integer (lines)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::Cycle</name>
    <message>
        <source>goal %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>task %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::Database</name>
    <message>
        <source>The Qt SQL driver %1 for %2 is not installed; install the Qt SQL plugin package for %2 (on Debian: libqt6sql6-%3 or libqt5sql5-%3).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The workspace state %1 does not exist. Run `astra init` in the repository to create it, or pass --db with an existing database.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot open the workspace state %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 failed in %2: %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Internal error: transactions on %1 do not nest</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Starting a transaction</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Committing the transaction</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the PostgreSQL server&apos;s disk is full (%1); free space on the server and run the command again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the disk holding %1 is full (%2 bytes free); free space there and run the command again (SQLite: %3)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot reach the workspace state %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Setting up the connection</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::DatabaseLocation</name>
    <message>
        <source>--db: the database URL is empty; give a file path, sqlite:///PATH or postgresql://USER@HOST:PORT/DB</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--db %1: not a valid URL (%2); expected postgresql://USER:PASSWORD@HOST:PORT/DB</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--db %1: the URL names no database; expected postgresql://USER@HOST:PORT/DB</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--db %1: the URL names no file; expected sqlite:///PATH/state.db</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--db %1: unsupported database; use a file path, sqlite:///PATH or postgresql://…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::Demo</name>
    <message>
        <source>%1 already exists and is not an empty folder; the demo workspace needs a new folder. Pass another path or remove it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Internal error: the demo configuration does not parse: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Internal error: the demo file %1 is missing from this build.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The demo workspace could not be completed at &quot;%1&quot;: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>goal %1 has no modification</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>run the job %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>detect</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>expected two accepted goals and a refusal for feasibility, got: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>nothing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>add goals</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>approve goal %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>plan goal %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>run the approved plans</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>expected four modifications awaiting review, got %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the host-name change was expected to conflict with the merged lint fixes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>review the modification of goal %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>reject goal %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The lint job did not pass: %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing was kept in %1; fix the cause and run `astra demo` again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>comment on the modification of goal %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::DiffFileListModel</name>
    <message>
        <source>+%1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>−%1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1/%2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Change</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Added</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Removed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seen</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>✓ viewed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 → %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::DiffFilesPanel</name>
    <message>
        <source>Filter files by name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Folders</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show the files in their folders, or as one list</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>+%1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>✓ viewed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1/%2</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>⚠ Beyond the scope (%n)</source>
        <translation>
            <numerusform>⚠ Beyond the scope (%n)</numerusform>
            <numerusform>⚠ Beyond the scope (%n)</numerusform>
        </translation>
    </message>
    <message>
        <source>Files the change touched that its goal, plan, import and review comments do not name</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>In scope (%n)</source>
        <translation>
            <numerusform>In scope (%n)</numerusform>
            <numerusform>In scope (%n)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>astra::DiffModel</name>
    <message>
        <source>symbolic link</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>submodule</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>executable file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 → %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>added</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>deleted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>renamed from %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>modified</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>+%1 −%2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mode %1 → %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mode %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no newline at end of file</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%1 of %n hunk(s) seen</source>
        <translation>
            <numerusform>%1 of %n hunk seen</numerusform>
            <numerusform>%1 of %n hunks seen</numerusform>
        </translation>
    </message>
    <message>
        <source>Not shown: %1 → %2 is over the viewer&apos;s %3 limit per file. Check it out and open it in an editor to review it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Binary file (%1 → %2): not shown as text.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The type changed from %1 to %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only the mode changed: %1 → %2 (%3 → %4); the content is the same.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Renamed from %1 without changes.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No changes to the text.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>⋯ %n unchanged line(s) (%1–%2); Enter or double-click shows them</source>
        <translation>
            <numerusform>⋯ %n unchanged line (%1–%2); Enter or double-click shows them</numerusform>
            <numerusform>⋯ %n unchanged lines (%1–%2); Enter or double-click shows them</numerusform>
        </translation>
    </message>
    <message>
        <source>✓ seen</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>○ not seen</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>binary</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>over-size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>renamed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>type changed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mode changed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>conflict</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>resolved</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>sent with revision %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>✎ %1: %2%3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 on revision %2:

%3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>✓ viewed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>✔ accepted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>✘ rejected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 % alike</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No changes but in whitespace.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lock file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Minified file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Generated file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1, collapsed. Enter or double-click shows it.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::DiffOverview</name>
    <message>
        <source>The file being read: removed lines red, added lines green; click to go there</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::DiffView</name>
    <message>
        <source>Next hunk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Previous hunk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Next file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Previous file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mark hunk seen and go to the next</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Side by side or unified</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show all unchanged lines</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Highlighting: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Language highlighting is unavailable in this build.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select a modification to see its changes.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Side by side</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unified</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Switch between side by side and unified (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n file(s)</source>
        <translation>
            <numerusform>%n file</numerusform>
            <numerusform>%n files</numerusform>
        </translation>
    </message>
    <message>
        <source>+%1 −%2</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%1 of %n hunk(s) seen</source>
        <translation>
            <numerusform>%1 of %n hunk seen</numerusform>
            <numerusform>%1 of %n hunks seen</numerusform>
        </translation>
    </message>
    <message>
        <source>Which revisions to compare: the change against its base, or what changed since an earlier revision</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Accept hunk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reject hunk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Accept file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reject file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Comment on line</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mark file viewed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Base → revision %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Revision %1 → %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hunk ↓</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hunk ↑</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>File ↓</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>File ↑</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seen</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Expand all</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Accept</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reject</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Comment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Viewed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Find in the diff</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Find next</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Find previous</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Larger text</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Smaller text</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Standard text size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ignore whitespace</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No whitespace</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wrap long lines</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wrap</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show generated and lock files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Generated</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Find in the diff (Enter: next, Shift+Enter: previous, Esc: close)</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n row(s) match</source>
        <translation>
            <numerusform>%n row matches</numerusform>
            <numerusform>%n rows match</numerusform>
        </translation>
    </message>
    <message>
        <source>(in the files read so far)</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>reading: %1 of %n file(s) so far</source>
        <translation>
            <numerusform>reading: %1 of %n file so far</numerusform>
            <numerusform>reading: %1 of %n files so far</numerusform>
        </translation>
    </message>
    <message>
        <source>finding renames</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>View</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Whitespace, wrapping, generated files, find and text size</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::Evidence</name>
    <message>
        <source>Command</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Confidence formula</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Duration (ms)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>End column</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>End line</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Excerpt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exit code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed runs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failures</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Findings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fix-its</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Format</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Has a fix</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Job</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Length</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Line</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Locations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Offset</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Passed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Path</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rule</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Runs in the window</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Signature</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start column</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start line</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Started at</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Streak</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Text</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Threshold</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tool</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Window (s)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Report</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reports</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tests</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Test results</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::Executors</name>
    <message>
        <source>asking the %1 proposer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Task %1 (code_modify) has no code_analyze before it in plan %2, so there is no change set to write.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Task %1 (code_test) has no modification to test: no code_modify before it in plan %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>testing modification %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The tests of modification %1 did not pass (it is &apos;%2&apos;); `astra mod show %1` has the results.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Goal %1 is &apos;%2&apos;, so its review cannot be requested.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Task %1 (%2) needs a workspace session, and the scheduler gave it another kind of session.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The agent of goal %1 ran without a sandbox (sandbox = &quot;none&quot; in [proposer]): it could read and change anything you can, though it worked in a private checkout.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>task %1: its log could not be recorded: %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::Findings</name>
    <message>
        <source>%1 is not SARIF: %2 at offset %3.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is SARIF version &apos;%2&apos;; Astra Review reads SARIF 2.1.0.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: a fix of %2 at %3:%4 gives its region by character offset, which Astra Review does not apply; use lines and columns or byte offsets.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 has no Diagnostics list; is it a clang-tidy --export-fixes file?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is not valid YAML: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A fix-it for %1 points outside the file (replacement %2); the file changed since the analyzer ran. Run the analyzer again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Two fix-its for %1 overlap (replacements %2 and %3, bytes %4-%5 and %6-%7); nothing was applied. Apply one of them by hand.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::FixitsProposer</name>
    <message>
        <source>Goal %1 carries no fix-its in its evidence; the fixits proposer has nothing to apply.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A fix-it edits %1, which does not exist at %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The fix-its of goal %1 change nothing at %2: they were applied already.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Applied %n fix-it(s) from %1 exactly as the analyzer gave them (%2).</source>
        <translation>
            <numerusform>Applied %n fix-it from %1 exactly as the analyzer gave them (%2).</numerusform>
            <numerusform>Applied %n fix-its from %1 exactly as the analyzer gave them (%2).</numerusform>
        </translation>
    </message>
    <message>
        <source>the analyzer</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::GitRepository</name>
    <message>
        <source>%1 is not inside a git repository. Run the command inside one, pass --repo PATH, or create one with `git init`.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Opening the git repository at %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Creating a git repository at %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading the ledger checkpoint tree</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading the ledger checkpoint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The ledger checkpoint in %1 (commit %2) is malformed: expected a seq and a sha256 hash.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Writing the ledger checkpoint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading the previous ledger checkpoint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Writing the ledger checkpoint commit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Moving %1 (someone else may have moved it at the same time; try again)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Creating an index</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading branch %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Removing %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Writing %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Adding %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Writing the tree</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Creating the commit signature</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Committing on %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checking out HEAD</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Listing branches</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The branch &apos;%1&apos; does not exist in %2. Check [workspace] target_branch in .astra.toml or create the branch.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 does not exist at commit %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is not a file at commit %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Creating branch %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The branch %1 already exists; refusing to overwrite it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The branch %1 was moved since Astra Review created it (now at %2); it was kept.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deleting branch %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading the ledger checkpoint commit %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The ledger checkpoint commit %1 in %2 has no %3; the ref was overwritten by something else. Inspect it with `git show %1`.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading the size of %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 at commit %2 is %3 bytes, more than the %4 bytes read for it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No remote was named: give a configured remote, a URL or a path.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Opening the remote %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 on %2 is not an ancestor of this repository&apos;s %1: the local checkpoints were moved back or replaced since the anchor was pushed, or another clone pushes to the same anchor. Nothing was pushed; run `astra ledger verify --anchor %2` to see which.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pushing %1 to %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 refused the pushed checkpoint (%2); nothing there was changed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connecting to %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Listing the refs of %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Writing the merged commit of %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Comparing the history of %1 and %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fetching %1 and the modification branches from the team&apos;s repository %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The team&apos;s repository %1 has no branch %2, the target of .astra.toml: check `git config astra.remote` and the remote&apos;s URL (`git remote -v`).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pushing %1 to the team&apos;s repository %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The team&apos;s repository %1 has %2 at a commit that is not an ancestor of this clone&apos;s (not a fast-forward), and refused it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The team&apos;s repository %1 refused %2.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::GoalBoard</name>
    <message>
        <source>Reading the detectors of the goals</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading the plans of the goals</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading the modifications of the goals</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::GoalBoardModel</name>
    <message numerus="yes">
        <source>%n min</source>
        <translation>
            <numerusform>%n min</numerusform>
            <numerusform>%n min</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n h</source>
        <translation>
            <numerusform>%n h</numerusform>
            <numerusform>%n h</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n d</source>
        <translation>
            <numerusform>%n d</numerusform>
            <numerusform>%n d</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Touches the same files as open goal(s) %1.</source>
        <translation>
            <numerusform>Touches the same files as open goal %1.</numerusform>
            <numerusform>Touches the same files as open goals %1.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>astra::GoalCardDelegate</name>
    <message>
        <source>plan awaits approval</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>plan approved</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>plan failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>change pending</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>change in testing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>change awaits approval</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>tests failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>change approved</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>merged</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>conflicted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>change rejected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>rolled back</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>by hand</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>confidence %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>P%1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no plan yet</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::GoalColumnView</name>
    <message>
        <source>planning it (the plan view, or `astra plan`)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>approving its plan; the scheduler then runs it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>merging its approved modification (the review panel)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>its plan failing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>approving it while it is proposed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>rejecting it while it is proposed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the engine</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Goal %1 moves from %2 to %3 by %4, not by dragging it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Goal %1 is %2, which is final: it does not move any more.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Goal %1 cannot go from %2 to %3; from %2 it can go to %4 (%3 is reached by %5).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>its plan&apos;s run ending with a modification, or importing a change for it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>rolling back the merged modification of a completed goal</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Goal %1 is completed, which is final; only rolling back its merged modification (the review panel) reopens it.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::GoalGenerator</name>
    <message>
        <source>Counting the goals created today</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recording a proposal</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recording a proposal returned no id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Listing the generator&apos;s decisions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading proposal %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is no proposal %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading the last proposal</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::GoalPlanning</name>
    <message>
        <source>Internal error: the built-in domain is missing from this build</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No plan for %1 (%2).</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>The search got furthest after %n action(s), at %1: %2</source>
        <translation>
            <numerusform>The search got furthest after %n action, at %1: %2</numerusform>
            <numerusform>The search got furthest after %n actions, at %1: %2</numerusform>
        </translation>
    </message>
    <message>
        <source>Goal %1 is of kind &apos;%2&apos;, which is not a task of the domain %3 (its tasks: %4). Create the goal with one of those kinds.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Internal error: the problem made for goal %1 does not parse: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The path policy forbids: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::GoalRepository</name>
    <message>
        <source>Creating a goal</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Creating a goal returned no id in %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading goal %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Goal %1 does not exist; `astra goals` lists the goals of this workspace.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Listing goals</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Counting goals</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Looking up goals by fingerprint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Updating goal %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Goal %1 was changed by someone else since it was read (version %2); nothing was written. Reload it and try again.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::GoalStateMachine</name>
    <message>
        <source>Goal %1 is &apos;%2&apos; and cannot move to &apos;%3&apos;. Legal next states from &apos;%2&apos;: %4.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::Hddl</name>
    <message>
        <source>expected %1, found %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a parenthesised list of names</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>names before &apos;-&apos; and a type after it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&apos;either&apos; types are not supported; declare a common super type</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a variable (?name)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a name that is not a variable</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a task &apos;(name arguments…)&apos;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a variable or a constant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a formula in parentheses</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a connective or a predicate name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&apos;(%1&apos; takes %2 formula(s), found %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>expected &apos;(%1 (?variables…) formula)&apos;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&apos;(=&apos; compares exactly two terms</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>an effect in parentheses</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&apos;and&apos;, &apos;not&apos;, &apos;when&apos;, &apos;forall&apos; or a predicate name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>expected &apos;(when condition effect)&apos;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>expected &apos;(forall (?variables…) effect)&apos;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>expected &apos;(not (predicate arguments…))&apos;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a predicate name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a list of subtasks</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>subtasks with an :ordering need labels, as in &apos;(t1 (task …))&apos;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&apos;(&lt; label label)&apos; naming two subtasks</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the :ordering has a cycle</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the :ordering leaves %1 and %2 unordered: this is a partial-order task network, and only total-order HDDL is supported</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>one of %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 needs a value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>expected exactly one &apos;(define (%1 …) …)&apos;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a domain section such as &apos;(:action …)&apos;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a predicate &apos;(name ?parameters…)&apos;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&apos;(%1 NAME …)&apos;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 &apos;%2&apos; is defined twice</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>method &apos;%1&apos; needs &apos;:task (name arguments…)&apos;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>one of :requirements, :types, :constants, :predicates, :task, :method, :action</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>method &apos;%1&apos; decomposes &apos;%2&apos;, which is not a declared :task</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>task &apos;%1&apos; takes %2 argument(s), the method gives %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&apos;%1&apos; is neither an action nor a task of this domain</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&apos;%1&apos; takes %2 argument(s), found %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a problem section such as &apos;(:init …)&apos;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the problem is for domain &apos;%1&apos;, but the domain file defines &apos;%2&apos;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&apos;%1&apos; is neither an action nor a task of domain &apos;%2&apos;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a fact &apos;(predicate objects…)&apos;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>an object</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a predicate of domain &apos;%2&apos;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>one of :domain, :objects, :htn, :init, :goal</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1:%2:%3: unexpected &apos;)&apos;: no list is open here</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1:%2:%3: expected &apos;(&apos; to start a definition, found &apos;%4&apos;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1:%2:%3: the list opened here is never closed; expected &apos;)&apos; before the end of the file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the @cost of action &apos;%1&apos; is &apos;%2&apos;; write a whole number, 0 or more</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>method :constraints may only compare variables, as in &apos;(= ?a ?b)&apos; or &apos;(not (= ?a ?b))&apos;, joined by &apos;and&apos;; state a condition on facts in the :precondition</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>method &apos;%1&apos; uses %2, which is not one of its :parameters; declare it there</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>constraints on the initial task network are not supported; bind its variables in the methods of a task that wraps it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the initial task network uses %1, which is not one of its :parameters; declare it there</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::Highlighting</name>
    <message numerus="yes">
        <source>KSyntaxHighlighting (%n syntax definitions)</source>
        <translation>
            <numerusform>KSyntaxHighlighting (%n syntax definition)</numerusform>
            <numerusform>KSyntaxHighlighting (%n syntax definitions)</numerusform>
        </translation>
    </message>
    <message>
        <source>unavailable in this build (no KSyntaxHighlighting for this Qt version)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::InboxModel</name>
    <message>
        <source>tests to run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>approval</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>merge</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>tests failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>conflict</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>just now</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n min</source>
        <translation>
            <numerusform>%n min</numerusform>
            <numerusform>%n min</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n h</source>
        <translation>
            <numerusform>%n h</numerusform>
            <numerusform>%n h</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n d</source>
        <translation>
            <numerusform>%n d</numerusform>
            <numerusform>%n d</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n reviewer flag(s): read the review&apos;s Flags section</source>
        <translation>
            <numerusform>%n reviewer flag: read the review&apos;s Flags section</numerusform>
            <numerusform>%n reviewer flags: read the review&apos;s Flags section</numerusform>
        </translation>
    </message>
    <message>
        <source>Goal %1: %2
Branch %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not run</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n passed</source>
        <translation>
            <numerusform>%n passed</numerusform>
            <numerusform>%n passed</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n failed</source>
        <translation>
            <numerusform>%n failed</numerusform>
            <numerusform>%n failed</numerusform>
        </translation>
    </message>
    <message>
        <source>#</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Change</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waits for</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tests</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n file(s): %1 lines added, %2 removed</source>
        <translation>
            <numerusform>%n file: %1 lines added, %2 removed</numerusform>
            <numerusform>%n files: %1 lines added, %2 removed</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) +%1 −%2</source>
        <translation>
            <numerusform>%n file +%1 −%2</numerusform>
            <numerusform>%n files +%1 −%2</numerusform>
        </translation>
    </message>
    <message>
        <source>Size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>new revision</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not opened in Changes yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Revision %1 is new since you last read it: hunks you saw before stay seen</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hunks marked seen in Changes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seen</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reviewers asked: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Approved by %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::InboxView</name>
    <message>
        <source>Filter by title, goal, branch or file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Everything waiting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waits for %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing waits for a decision.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n change(s) wait for a decision.</source>
        <translation>
            <numerusform>%n change waits for a decision.</numerusform>
            <numerusform>%n changes wait for a decision.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1 of %n change(s) shown.</source>
        <translation>
            <numerusform>%1 of %n change shown.</numerusform>
            <numerusform>%1 of %n changes shown.</numerusform>
        </translation>
    </message>
    <message>
        <source>Assigned to &amp;me</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only the changes someone asked you to review (astra mod assign)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::KanbanView</name>
    <message>
        <source>Filter goals by title, description, kind or file…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Any source</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>By hand</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Detectors</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Collaborative</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Any detector</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select a goal to see its evidence.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Approve goal</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reject goal</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Abandon goal</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Filter goals</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 · %2 · created by %3 · confidence %4 · priority %5</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Open goal(s) %1 touch the same files; their changes may conflict.</source>
        <translation>
            <numerusform>Open goal %1 touch the same files; their changes may conflict.</numerusform>
            <numerusform>Open goals %1 touch the same files; their changes may conflict.</numerusform>
        </translation>
    </message>
    <message>
        <source>Files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Plan %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Modification %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Evidence</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select a goal first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>as text</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>as JSON</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::Labels</name>
    <message>
        <source>Proposed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Active</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Planned</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Executing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Awaiting review</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Completed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rejected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Abandoned</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>passed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>timed out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>could not run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>succeeded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>yes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>waiting for approval</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>approved</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>replaced</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::Ledger</name>
    <message>
        <source>Reading the ledger head</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The ledger head row is missing in %1: the ledger was tampered with. Run `astra ledger verify` and restore the database from a backup.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Internal error: a ledger entry (%1) must be appended inside the transaction of the change it records</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The ledger head row is missing in %1; nothing was recorded.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Appending to the ledger</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Moving the ledger head</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Another writer extended the ledger at the same time; nothing was recorded. Try again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading the ledger</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading the ledger segments</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The ledger segment %1 (entries %2–%3) cannot be read: %4. Restore it from a backup.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ledger table</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the archived segment %1 holding entries %2–%3 is missing or unreadable (%4)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the archived segment %1 holding entries %2–%3 was modified after it was archived (its sha256 differs from the one recorded)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>entry %1 is missing: the sequence jumps from %2 to %3 (%4); an entry was deleted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>entry %1 appears after entry %2 (%3); entries were inserted or reordered</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>entry %1 (%2 %3) was altered: its content or sequence number does not match its hash (it was edited, renumbered or moved; %4)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>entry %1 does not follow entry %2: its prev_hash is not the hash of entry %2 (%3); an entry was edited, inserted or removed before it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>entries %1–%2 were deleted from the end of the ledger (the head records entry %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>entry %1 was inserted after the last recorded entry %2 (the head records entry %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>entry %1 does not match the ledger head: the end of the ledger was rewritten</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot write the ledger export %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There are no ledger entries up to %1 left in the table to archive.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot create the ledger segment directory %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The ledger segment %1 already exists; refusing to overwrite it. Move it away if it is not listed by `astra ledger verify`.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot write the ledger segment %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recording the ledger segment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Removing archived ledger entries</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The ledger changed while it was archived (%1 entries expected, %2 found); nothing was archived. Try again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: not a ledger entry (JSON error: %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: the ledger entry has no &apos;%2&apos;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Locking the ledger head</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The ledger head row is missing in %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the checkpoint commit %1 in %2 records entry %3 on top of a checkpoint that already records entry %4: astra never writes such a checkpoint, so the ref was extended by something else</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the checkpoint %1 in %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is missing, but %2 records that it held a checkpoint at entry %3 (commit %4): the ref was deleted, so the entries it anchored can no longer be checked. Restore the ref from a clone or a pushed anchor (`astra ledger anchor --push`)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 was moved back: it records entry %2 (commit %3), but %4 records that it held entry %5 (commit %6)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (commit %2) does not descend from the checkpoint %3 that %4 records at entry %5: the ref was replaced</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the checkpoint %1 recorded in %2 does not match %3 at entry %4</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>entry %1 differs from %2: the ledger was rewritten from this entry on</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the checkpoint recorded in %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the ledger ends at entry %1 but %2 records entry %3: entries %4–%3 were truncated</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading the recorded ledger checkpoint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recording the ledger checkpoint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Announcing the change</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::LedgerModel</name>
    <message>
        <source>Seq</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Time (UTC)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Actor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Event</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Subject</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hash</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::LedgerView</name>
    <message>
        <source>&amp;Verify the chain</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Filter by event, subject or actor (Ctrl+F)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Verifying…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Verify the ledger</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recompute every hash of the table, the archived segments and the git checkpoint (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Filter the ledger</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not verified in this session: verify to recompute the chain.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>latest %1 of %n entries</source>
        <translation>
            <numerusform>latest %1 of %n entry</numerusform>
            <numerusform>latest %1 of %n entries</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n entries</source>
        <translation>
            <numerusform>%n entry</numerusform>
            <numerusform>%n entries</numerusform>
        </translation>
    </message>
    <message>
        <source>Broken at entry %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Intact: %n entries checked</source>
        <translation>
            <numerusform>Intact: %n entry checked</numerusform>
            <numerusform>Intact: %n entries checked</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source> (%n in archived segments)</source>
        <translation>
            <numerusform> (%n in archived segments)</numerusform>
            <numerusform> (%n in archived segments)</numerusform>
        </translation>
    </message>
    <message>
        <source>; head %1 at %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>; no git checkpoint yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Entry %1 · %2 · %3
%4 %5
previous hash %6
hash %7

%8</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>; all %1 git checkpoints match, the newest at entry %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> (the entries after it are not checkpointed yet)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::MainWindow</name>
    <message>
        <source>&amp;Workspace</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Open…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;About Astra Review</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 — Astra Review</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loaded %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Astra Review</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The workspace could not be opened</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>About Astra Review</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;Astra Review %1&lt;/b&gt;&lt;/p&gt;&lt;p&gt;Review, approve and merge the changes an autonomous agent proposes to your git repository.&lt;/p&gt;&lt;pre&gt;%2&lt;/pre&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Background: %n job run(s); %1 task(s) run; %2 awaiting review</source>
        <translation>
            <numerusform>Background: %n job run; %1 task(s) run; %2 awaiting review</numerusform>
            <numerusform>Background: %n job runs; %1 task(s) run; %2 awaiting review</numerusform>
        </translation>
    </message>
    <message>
        <source>Background work failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Overview</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Goals</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Done: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Approve goal %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reject goal %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Abandon goal %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Why? The reason is kept in the goal and the audit ledger.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Plan</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Approve the plan of goal %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Review</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Changes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Tasks</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Ledger</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open &amp;recent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Theme</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;System</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Light</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Dark</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Keyboard shortcuts</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Scheduler %1 · %2 running · %3 queued · %n awaiting review</source>
        <translation>
            <numerusform>Scheduler %1 · %2 running · %3 queued · %n awaiting review</numerusform>
            <numerusform>Scheduler %1 · %2 running · %3 queued · %n awaiting review</numerusform>
        </translation>
    </message>
    <message>
        <source>Approve modification %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reject modification %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Merge modification %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Roll back modification %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel task %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Goal %1 has no modification yet: its plan writes one when it runs.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Goal %1 has no changes to show yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n modification(s) wait for your review in %1.</source>
        <translation>
            <numerusform>%n modification waits for your review in %1.</numerusform>
            <numerusform>%n modifications wait for your review in %1.</numerusform>
        </translation>
    </message>
    <message>
        <source>Open a workspace first: the settings are its .astra.toml.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saved %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>KSyntaxHighlighting %1: %2
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>KSyntaxHighlighting: %1
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Test modification %1 again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>idle</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Background work</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Runs due jobs, the detectors and approved plans on a timer; off, nothing happens until you act</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run background work &amp;now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Background work: running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Background work: off</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Background work: paused</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Background work: every %n min</source>
        <translation>
            <numerusform>Background work: every %n min</numerusform>
            <numerusform>Background work: every %n min</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Background work: every %n s</source>
        <translation>
            <numerusform>Background work: every %n s</numerusform>
            <numerusform>Background work: every %n s</numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;Approve change</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Re&amp;ject change…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Merge change…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Test again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Roll &amp;back change…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Next waiting change</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing else waits for a decision.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Review &amp;inbox</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n hunk(s) of this change are not marked seen. Approve it anyway?</source>
        <translation>
            <numerusform>%n hunk of this change is not marked seen. Approve it anyway?</numerusform>
            <numerusform>%n hunks of this change are not marked seen. Approve it anyway?</numerusform>
        </translation>
    </message>
    <message>
        <source>Mark each hunk seen in Changes with %1 as you read it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Approve anyway</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Read the changes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Changes since revision %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clear the decision on hunk %1 of %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clear the decision on %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Accept hunk %1 of %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Accept %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reject hunk %1 of %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reject %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Comment on modification %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Comment on %1, line %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Comment on %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What should change, and why? The comment is kept with the revision and goes to the agent with Request changes.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resolve comment %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reopen comment %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Comment %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1, revision %2%3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>; resolved by %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Reopen</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Resolve</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loading the changes…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Apply the decisions on modification %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Restore the left-out hunks of modification %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The agent works on the comments of modification %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Request changes to modification %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Update modification %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%1 conflicts with the change in %n file(s); nothing was changed. Both sides are in Changes; the conflicts are comments, and Request changes sends them to the agent.</source>
        <translation>
            <numerusform>%1 conflicts with the change in %n file; nothing was changed. Both sides are in Changes; the conflicts are comments, and Request changes sends them to the agent.</numerusform>
            <numerusform>%1 conflicts with the change in %n files; nothing was changed. Both sides are in Changes; the conflicts are comments, and Request changes sends them to the agent.</numerusform>
        </translation>
    </message>
    <message>
        <source>Conflicts: %1 at %2 (left) against the change (right)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Comment on the change…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Apply &amp;decisions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Re&amp;quest changes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Update onto the target</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The rest of the diff could not be read: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No change waits for review.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loading modification %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exported the plan to %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not export the plan to %1: %2. Nothing was written.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>⚠ Database unreachable since %1 — reconnecting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reconnected to the database; showing what changed meanwhile</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::Merger</name>
    <message>
        <source>Comparing trees</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Updating the work tree</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Creating the commit signature</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is checked out and has local changes in files this would overwrite: %2. Commit or stash them and try again; nothing was changed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 moved while it was being updated (it is no longer at %2); nothing was changed. Review the new head and try again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Moving %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 moved since the review (it was at %2, it is at %3); nothing was changed. Review the modification again against the new head.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Merging</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Writing the merged tree</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Writing the merge commit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reverting %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Writing the reverted tree</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Writing the revert commit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The record of the checkout of %1 could not be written (%2); nothing was changed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Listing the linked work trees</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is checked out in the linked work tree %2, which this would leave behind (git refuses the same); nothing was changed. Check out another branch there, or merge from that work tree.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Looking for replacement refs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The repository has %1: with them git shows and checks out other content than the commits that were tested and reviewed; nothing was changed. Remove them (%2) and try again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>replacement refs (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>grafts (info/grafts)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>git replace -d each of them</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>delete info/grafts in %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is being moved by another process right now (its ref is locked); nothing was changed. Try again in a moment; if it stays locked, `astra status` names the lock file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Updating the checked-out work tree of %1 failed (%2), and moving %1 back failed too (%3). %1 points at %4 while some files are older; the next astra command finishes the update. Do not commit on %1 before that.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Moving %1 back</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Updating the checked-out work tree of %1 failed (%2). %1 was moved back to %3, but some files could not be restored (%4): `git status` shows them; `git checkout -- FILE` restores each.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Updating the checked-out work tree of %1 failed (%2); the branch and its files were put back where they were.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The record %1 of an interrupted checkout cannot be read: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 was moved to %2 by a process that died before it updated the work tree, and these files now differ from both: %3. Compare them with %2 and commit or restore them; then remove %4.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Finishing the files an interrupted checkout left half written</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::Migrator</name>
    <message>
        <source>Listing tables</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading the applied migrations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The workspace state %1 has schema version %2, but this program knows versions up to %3: it was written by a newer Astra Review. Upgrade Astra Review to open it; nothing was changed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The workspace state %1 records migration %2 but not migration %3 before it: the schema history is inconsistent. Restore the database from a backup; nothing was changed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The workspace state %1 applied migration %2 with checksum %3, but this program&apos;s migration %2 has checksum %4: the schema was changed by a different build. Use the build that created it, or restore the database from a backup; nothing was changed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Creating the migration table</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Migration %1 failed: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Migration %1 failed at statement %2 (%3): %4. It was rolled back; the database %5 is unchanged at version %6. Report this with the SQL error.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recording migration %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Internal error: migration %1 is out of order</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::ModificationRepository</name>
    <message>
        <source>Creating a modification</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Creating a modification returned no id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recording the commit of modification %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recording the files of modification %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading modification %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Modification %1 does not exist; `astra mods` lists them.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Listing modifications</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Updating modification %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Modification %1 was changed by someone else since it was read (version %2); nothing was written. Reload it and try again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recording a test run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recording a test run returned no id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recording a test result</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading test results</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading test runs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recording a review</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading reviews</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Modification %1 has no approving review.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recording revision %1 of modification %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recording revision %1 of modification %2 returned no id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recording the new revision of modification %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Replacing the files of modification %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recording a decision on modification %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clearing a decision on modification %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading the decisions on modification %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recording a comment on modification %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recording a comment returned no id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading the comments on modification %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading comment %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Comment %1 does not exist; `astra mod comments N` lists a modification&apos;s comments.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Updating comment %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading the reviews of modification %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading the files of modifications</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading the revisions of modifications</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading the approvals of modification %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading the approvals of modifications</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Withdrawing the approvals of modification %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading who is asked to review</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Asking %1 to review modification %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is already asked to review modification %2; nothing was changed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Withdrawing the request to %1 to review modification %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is not asked to review modification %2; nothing was changed.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::ModificationWriter</name>
    <message>
        <source>The path policy refused the change; nothing was written:
%1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The change set has no files; there is nothing to write.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading the base tree</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 cannot be deleted: it does not exist at the base commit %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 cannot be renamed: it does not exist at the base commit %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Creating an index</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Removing %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Adding %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Writing %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Writing the tree</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The change set leaves every file as it is at %1; there is nothing to review.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Comparing the trees</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Writing the commit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Writing the commit of %1 &lt;%2&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The tree %1 is not in the repository.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::OpenAiProposer</name>
    <message>
        <source>[proposer] base_url &apos;%1&apos; is not an http(s) URL.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The request to %1 was cancelled.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>HTTP %1 from %2: %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>The openai proposer failed after %n attempt(s): %1</source>
        <translation>
            <numerusform>The openai proposer failed after %n attempt: %1</numerusform>
            <numerusform>The openai proposer failed after %n attempts: %1</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 answered with something that is not a chat completion (no choices[0].message): %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The model refused (finish_reason content_filter).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The model answered without a diff or change set, so nothing was written: &quot;%1&quot;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Proposed by %1 at %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 answered with more than %2 MiB; the answer was cut off there and refused.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 did not answer completely within %2 s ([proposer] timeout_s)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::PatchImport</name>
    <message>
        <source>%1 does not apply cleanly to the base commit; nothing was written. %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: the content of %2 is missing from the object database.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 changes nothing.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading the patch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The patch is not a unified diff libgit2 can read: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The patch holds no file changes.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The patch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The branch %1 shares no history with the target; it cannot be imported.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Finding the merge base of %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Comparing %1 with its merge base</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The branch %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The patch names a path that is not in canonical form; it was read as %1. Write repository-relative paths (a/src/x.cpp, b/src/x.cpp); nothing was written.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Opening the object database</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading the size of %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The path policy refused the branch %1; nothing was written:
%2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::PathGlobList</name>
    <message>
        <source>it ends with a lone \ (write \\ for a backslash)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the [ has no closing ] (write \[ for a literal bracket)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>[:%1:] is not a character class (alnum, alpha, blank, cntrl, digit, graph, lower, print, punct, space, upper, xdigit)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The pattern &quot;%1&quot; is not a valid gitignore-style glob: %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>it contains a NUL character</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>it is empty and would match nothing; remove it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a gitignore file reads it as a comment; write \# to match a leading #</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>it names no file or folder</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::PathPolicy</name>
    <message>
        <source>The path policy refuses %1 (%2): %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>an empty path names no file. Give the file&apos;s path relative to the repository root, such as src/main.cpp.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>it is %1 bytes long; paths longer than %2 bytes do not fit common file systems. Choose a shorter path.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>it is not valid UTF-8 (a stray, truncated, overlong or surrogate byte sequence). Write the path in UTF-8, in Unicode NFC form.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the component %1 is .git, or a name a file system may take for it (other case, 8.3 short name, trailing dots or spaces, ignorable characters, an NTFS stream). No change may write a git directory; choose another path.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the component %1 is %2, or a name a file system may take for it. %2 is always forbidden to the agent, at any depth; a person must make this change.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>it is absolute. Give the path relative to the repository root, without the leading /.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>it ends with /. Name the file, without a trailing /.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a component is %1 bytes long; names longer than %2 bytes do not fit common file systems. Choose a shorter name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>it has an empty component (//). Write each folder once, separated by a single /.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>it has a &quot;%1&quot; component. Give the path without . and .. components, as the repository root sees it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a backslash, which Windows reads as a folder separator. Use / between folders and no backslash in names.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a colon, which names an alternate data stream on NTFS. Choose a name without :.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the control character %1. Choose a name of printable characters.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the character %1, which is invisible, changes the text direction, is for private use or is not assigned in Unicode. Choose a name of visible characters.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>it contains %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the component %1 ends with a dot or a space, which Windows drops, so it names another file there. Choose a name that ends otherwise.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>it is not in Unicode NFC form: %1 has decomposed or reordered characters. Write it in NFC, as %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>it is %1, a symbolic link in the base tree (compared as a case-insensitive file system would). The agent may not change, delete or rename symbolic links.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>it is %1, a submodule in the base tree (compared as a case-insensitive file system would). The agent may not change, delete or rename submodules.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>it goes through %1, a symbolic link in the base tree (compared as a case-insensitive file system would). Write to the file the link points at, by its own path.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>it goes into %1, a submodule in the base tree (compared as a case-insensitive file system would). Change the submodule in its own repository.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>it goes through or onto a symbolic link that this change set creates, as a case-insensitive file system would resolve it. Remove the link from the change set.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>it goes into or onto a submodule that this change set creates, as a case-insensitive file system would resolve it. Remove the submodule from the change set.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The path policy limits must not be negative (file size %1, files %2, total %3).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>policy.allowed in .astra.toml: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>policy.forbidden in .astra.toml: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the pattern &quot;%1&quot; of policy.forbidden in .astra.toml matches it (ignoring case). Leave the file alone, or ask a person to change the policy.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no pattern of policy.allowed in .astra.toml (%1) matches it. Change only files the policy allows, or ask a person to allow this one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the pattern &quot;%1&quot; of policy.allowed in .astra.toml excludes it. Change only files the policy allows, or ask a person to allow this one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>it is a symbolic link (mode 120000) before the change. The agent may not change, delete or rename symbolic links.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>it is a submodule (mode 160000) before the change. The agent may not change, delete or rename submodules.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the change makes it a symbolic link (mode 120000). The agent may not create symbolic links; write a regular file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the change makes it a submodule (mode 160000). The agent may not add submodules; a person must.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the new mode %1 is not a mode git writes for a file (100644, 100755). Write a regular file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the change turns mode %1 into %2; the agent may not turn files into or out of symbolic links or submodules. Keep the mode.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the new content is %1 bytes; the limit is %2 bytes (max_file_kb = %3 in [policy] of .astra.toml). Raise max_file_kb if a file this size is meant to be written; otherwise write a smaller file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>The path policy refuses the change set (%1): it changes %n file(s); the limit is %2 (max_files in [policy] of .astra.toml). Raise max_files if a change this size is meant to be reviewed in one piece; otherwise split the work.</source>
        <translation>
            <numerusform>The path policy refuses the change set (%1): it changes %n file; the limit is %2 (max_files in [policy] of .astra.toml). Raise max_files if a change this size is meant to be reviewed in one piece; otherwise split the work.</numerusform>
            <numerusform>The path policy refuses the change set (%1): it changes %n files; the limit is %2 (max_files in [policy] of .astra.toml). Raise max_files if a change this size is meant to be reviewed in one piece; otherwise split the work.</numerusform>
        </translation>
    </message>
    <message>
        <source>The path policy refuses the change set (%1): its new files add up to %2 bytes; the limit is %3 bytes (max_total_kb = %4 in [policy] of .astra.toml). Raise max_total_kb if a change this size is meant to be reviewed in one piece; otherwise split the work.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>The change adds and deletes %n line(s), all its files together; [policy] max_changed_lines = %1 in %2 allows no more. Raise max_changed_lines (in a commit on the target branch) if a change this size is meant to be reviewed in one piece; otherwise split the work.</source>
        <translation>
            <numerusform>The change adds and deletes %n line, all its files together; [policy] max_changed_lines = %1 in %2 allows no more. Raise max_changed_lines (in a commit on the target branch) if a change this size is meant to be reviewed in one piece; otherwise split the work.</numerusform>
            <numerusform>The change adds and deletes %n lines, all its files together; [policy] max_changed_lines = %1 in %2 allows no more. Raise max_changed_lines (in a commit on the target branch) if a change this size is meant to be reviewed in one piece; otherwise split the work.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1 (%n line(s) added and deleted) is beyond the scope of this change, which was asked to touch %2. [policy] scope = &quot;refuse&quot; in %3 refuses changes beyond their scope; scope = &quot;flag&quot; there lets a reviewer decide instead.</source>
        <translation>
            <numerusform>%1 (%n line added and deleted) is beyond the scope of this change, which was asked to touch %2. [policy] scope = &quot;refuse&quot; in %3 refuses changes beyond their scope; scope = &quot;flag&quot; there lets a reviewer decide instead.</numerusform>
            <numerusform>%1 (%n lines added and deleted) is beyond the scope of this change, which was asked to touch %2. [policy] scope = &quot;refuse&quot; in %3 refuses changes beyond their scope; scope = &quot;flag&quot; there lets a reviewer decide instead.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>astra::PlanGraph</name>
    <message>
        <source>not taken: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::PlanReading</name>
    <message>
        <source>%1 is %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is not %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 holds</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is false</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a condition that must not hold does</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>none of the alternatives holds</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>nothing in the workspace satisfies the condition</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>nothing in the workspace fits its parameters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>it does not apply to this task</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the search stopped (%1) before it was tried to the end</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is not a %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a later step could not be done: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>“%1” could not run: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the domain has no way to do “%1”</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no way to “%1” works: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>No plan: the search came furthest after %n step(s), at “%1”: %2.</source>
        <translation>
            <numerusform>No plan: the search came furthest after %n step, at “%1”: %2.</numerusform>
            <numerusform>No plan: the search came furthest after %n steps, at “%1”: %2.</numerusform>
        </translation>
    </message>
    <message>
        <source>✗ %1: not taken, %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Plan %1 found no plan (%2); plan %3 found one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Plan %1 had a plan; plan %2 found none (%3).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: the same way with other objects, “%2” instead of “%3”.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no way found</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: “%2” instead of “%3”.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>“%1” is not taken now: %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>“%1” was not taken before: %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No longer in the plan: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%1 (%n times)</source>
        <translation>
            <numerusform>%1 (once)</numerusform>
            <numerusform>%1 (%n times)</numerusform>
        </translation>
    </message>
    <message>
        <source>“%1” is already being worked out from this same situation further up: this way would go round in a circle</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::PlanRepository</name>
    <message>
        <source>Creating a plan for goal %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Creating a plan returned no id in %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Internal error: plan node %1 comes before its parent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Storing the decomposition of plan %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Storing a plan node returned no id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Storing the tasks of plan %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading the decomposition of plan %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading plan %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Plan %1 does not exist.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading the plan of goal %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Updating plan %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Plan %1 was changed by someone else since it was read (version %2); nothing was written. Reload it and try again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading the plans of goal %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::PlanTreeModel</name>
    <message>
        <source>%1 ms</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>→ %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>✗ %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>chosen</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no task</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Decomposition</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Duration</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cost</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Why / outcome</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>waiting for plan approval</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1. %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Defined at %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not taken</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>nothing to do</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%1 of %n step(s) failed</source>
        <translation>
            <numerusform>%1 of %n step failed</numerusform>
            <numerusform>%1 of %n steps failed</numerusform>
        </translation>
    </message>
    <message>
        <source>done</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%1 of %n step(s) done</source>
        <translation>
            <numerusform>%1 of %n step done</numerusform>
            <numerusform>%1 of %n steps done</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n step(s)</source>
        <translation>
            <numerusform>%n step</numerusform>
            <numerusform>%n steps</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>astra::PlanView</name>
    <message>
        <source>&amp;Approve plan</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing of a plan runs before a person approves it (Ctrl+Shift+P).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Approve plan</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loading the plan of goal %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select a goal on the board to see its plan.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Goal %1 has no plan yet. It is planned when it is active: by the background loop, `astra plan %1` or `astra cycle`.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>&lt;b&gt;Plan %1 of goal %2: %3&lt;/b&gt; — %4, %n expansion(s), %5 ms</source>
        <translation>
            <numerusform>&lt;b&gt;Plan %1 of goal %2: %3&lt;/b&gt; — %4, %n expansion, %5 ms</numerusform>
            <numerusform>&lt;b&gt;Plan %1 of goal %2: %3&lt;/b&gt; — %4, %n expansions, %5 ms</numerusform>
        </translation>
    </message>
    <message>
        <source>Approved by %1 at %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting for approval: nothing runs before that.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 · attempt %2 of %3 · %4</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Proposer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rationale</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Request</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Answer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Standard error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Output</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Runs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>attempt %1: %2, %3, started %4</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sandbox</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unsandboxed:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exit code</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>(%n byte(s))</source>
        <translation>
            <numerusform>(%n byte)</numerusform>
            <numerusform>(%n bytes)</numerusform>
        </translation>
    </message>
    <message>
        <source>P&amp;lan:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The goal&apos;s plans: the current one and those it replaced.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Compare with the previous plan</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Planner&apos;s s&amp;ymbols</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show tasks, ways and objects as the planner names them (Ctrl+Shift+Y).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Zoom out the picture (Ctrl+wheel)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show the whole picture</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Zoom in the picture (Ctrl+wheel)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>E&amp;xport</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Picture as SVG…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export the plan as SVG</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SVG pictures (*.svg)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Picture as PNG…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export the plan as PNG</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PNG images (*.png)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select a step to see what it produced, or a way not taken to see why.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Planner&apos;s symbols</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Plan %1 · %2 (current)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Plan %1 · %2 · %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>An earlier plan of the goal, shown as it was decided.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This is the goal&apos;s first plan: there is no earlier one to compare it with.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>From plan %1 (%2) to plan %3 (%4)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The same decomposition.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 — line %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This program does not have the source of %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is no plan to export.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Plan of goal %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the picture is too large for an image; export it as SVG</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not taken:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The condition is written at</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Defined at</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>task %1: %2 %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Read %1 at %2 (%n byte(s)).</source>
        <translation>
            <numerusform>Read %1 at %2 (%n byte).</numerusform>
            <numerusform>Read %1 at %2 (%n bytes).</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Wrote %n file(s) on %1 as modification %2.</source>
        <translation>
            <numerusform>Wrote %n file on %1 as modification %2.</numerusform>
            <numerusform>Wrote %n files on %1 as modification %2.</numerusform>
        </translation>
    </message>
    <message>
        <source>Open its diff</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tests %1: %2 passed, %3 failed, on %4.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open the review with the test log</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%1 of %n step(s) done</source>
        <translation>
            <numerusform>%1 of %n step done</numerusform>
            <numerusform>%1 of %n steps done</numerusform>
        </translation>
    </message>
    <message>
        <source>Duration</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cost</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 cannot be shown: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is a binary file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Only its first %n KiB are shown.</source>
        <translation>
            <numerusform>Only its first %n KiB are shown.</numerusform>
            <numerusform>Only its first %n KiB are shown.</numerusform>
        </translation>
    </message>
    <message>
        <source>Files written</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Test run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2 passed, %3 failed, %4 skipped; %5</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failing tests</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Log (end)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::Planner</name>
    <message>
        <source>no fact (%1 …) holds</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no binding of the remaining parameters satisfies the precondition</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is not a %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>action %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the task&apos;s arguments do not fit the method&apos;s parameters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>precondition: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the search stopped (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>its subtasks could not be completed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no method decomposes %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no method of %1 %2 works; the last, %3 [%4]: %5</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is false</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 holds, and the negative condition at line %2 needs it not to</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the negative condition at line %1 is false</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>none of the alternatives at line %1 holds</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>for %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>nothing satisfies the condition at line %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 %2 is already being decomposed in this same state further up; this way would go round in a circle</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::PrivateCheckout</name>
    <message>
        <source>The agent left more than %1 files and folders in its checkout; nothing was harvested.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading the base tree %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading the ignore rules for %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading %1 in the agent&apos;s checkout failed: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The agent left %1, which is neither a file, a folder nor a symlink; nothing was harvested.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading the symlink %1 in the agent&apos;s checkout failed: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hashing %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Creating the agent&apos;s checkout in %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copying the tree of %1 into the agent&apos;s checkout</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Committing the base into the agent&apos;s checkout</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot create a temporary folder to harvest the agent&apos;s change: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Preparing to harvest the agent&apos;s change</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The folder %1 in the agent&apos;s checkout cannot be read; nothing was harvested.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The agent left %1/.gitignore as something other than a file; nothing was harvested.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The agent&apos;s change holds more than %1 MiB; nothing was harvested.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::Proposer</name>
    <message>
        <source>The plan asks for the proposer &apos;%1&apos;, but %2 configures &apos;%3&apos; in [proposer] kind. Plan the goal again, or configure that proposer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>[proposer] kind is &quot;command&quot; but command is empty in %1: set the command line of the agent to run.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The proposer &apos;%1&apos; is not available in this version of Astra Review; the available ones are: %2. Change [proposer] kind in %3.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The proposer answered with nothing: no diff and no change set.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The proposer&apos;s diff does not apply to %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The proposer&apos;s answer starts with &apos;{&apos; but is not a JSON object: %1 at offset %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The proposer&apos;s change set has no &quot;files&quot;: give at least one {&quot;path&quot;, &quot;content&quot;}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>files[%1] of the proposer&apos;s change set has no &quot;path&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>files[%1] (%2) of the proposer&apos;s change set needs &quot;content&quot; (a string) or &quot;delete&quot;: true.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>[proposer] kind is &quot;openai&quot; but base_url or model is empty in %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>[proposer] runs the agent &quot;command&quot; but command is empty in the configuration: set the command line of the agent to run.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>[proposer] agent &quot;%1&quot; is not one of %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>install it with pipx install aider-chat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>install it with npm install -g @anthropic-ai/claude-code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>install it with npm install -g @openai/codex</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>install it with npm install -g @google/gemini-cli</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>install the goose CLI as its documentation describes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>install it with npm install -g opencode-ai</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No proposer is configured: set [proposer] kind in %1 to fixits, openai, agent or command.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::Renames</name>
    <message>
        <source>Opening the object database</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Finding renames</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::ReviewView</name>
    <message>
        <source>pending tests</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>testing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>awaiting approval</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>approved, not merged yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>merged</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>rejected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>tests failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>conflicted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>rolled back</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 runs automatically (build, CI, hooks or packaging): read it as code that will execute on the next build.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 has fewer assertions than before: a test was weakened.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1, a test file, is deleted.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 became executable.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Approve change</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Re&amp;ject change…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Merge…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Roll &amp;back…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select a goal with a modification on the Goals board to review it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing to review</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Modification %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Modification %1 could not be loaded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Modification %1 · %2 · %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reject modification %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Why? The reason is kept with the modification and in the audit ledger.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Merge modification %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Merge “%1” into %2?

It changes %n file(s): %3.
The branch&apos;s head %4 is the commit that was tested.</source>
        <translation>
            <numerusform>Merge “%1” into %2?

It changes %n file: %3.
The branch&apos;s head %4 is the commit that was tested.</numerusform>
            <numerusform>Merge “%1” into %2?

It changes %n files: %3.
The branch&apos;s head %4 is the commit that was tested.</numerusform>
        </translation>
    </message>
    <message>
        <source>Roll back modification %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>A revert commit on %1 will restore %n file(s): %2.</source>
        <translation>
            <numerusform>A revert commit on %1 will restore %n file: %2.</numerusform>
            <numerusform>A revert commit on %1 will restore %n files: %2.</numerusform>
        </translation>
    </message>
    <message>
        <source>No later commit on %1 touches them.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n later commit(s) on %1 touch them; the revert may conflict with:</source>
        <translation>
            <numerusform>%n later commit on %1 touches them; the revert may conflict with:</numerusform>
            <numerusform>%n later commits on %1 touch them; the revert may conflict with:</numerusform>
        </translation>
    </message>
    <message>
        <source>  %1 %2 (%3)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Uncommitted local edits are in the way: %1. The rollback stops before changing anything until they are committed or stashed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is checked out; the work tree is updated with the revert.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Branch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 → %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Commits</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>base %1, head %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Merged as</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reverted by</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Files</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n file(s), +%1 −%2</source>
        <translation>
            <numerusform>%n file, +%1 −%2</numerusform>
            <numerusform>%n files, +%1 −%2</numerusform>
        </translation>
    </message>
    <message>
        <source>Written</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>by task %1 of the goal&apos;s plan, %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>imported, %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Provenance</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Goal</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>#%1 %2 (%3)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Kind</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Found by</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the %1 detector (proposal %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Confidence</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checks passed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>confidence, rate limits, duplicates, principles, feasibility (a plan was found)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Approved</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>automatically, at the configured threshold</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>by a person</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Added by</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1, by hand: the generator&apos;s checks do not apply</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Evidence files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rationale</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The proposer gave no rationale.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tests</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not tested yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2 passed, %3 failed, %4 skipped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>On %1, the exact commit under review.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>On %1, not the head under review (%2): run the tests again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Command: %1 · sandbox: %2 · %3 → %4</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failing tests</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n earlier run(s).</source>
        <translation>
            <numerusform>%n earlier run.</numerusform>
            <numerusform>%n earlier runs.</numerusform>
        </translation>
    </message>
    <message>
        <source>Log (end)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Flags</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>None: no auto-run files, no weakened or deleted tests, no new executables.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Conflicts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 changed since the base of this modification in: %2. It cannot be merged as tested; reject it and plan the goal again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rolling back</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Changes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Evidence</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unsandboxed: these tests ran without isolation (sandbox = &quot;none&quot;), so they could read and change anything the account that ran them can.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 changes which files git ignores: files it now ignores no longer show in git status.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Test again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run the tests again on the target branch as it is now (the merge this change would make) and put the change back for review; an approval is withdrawn</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>On %1: the commit under review, %2, merged onto %3 at %4 (tested again after %3 moved).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run &amp;tests</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run the tests on this change&apos;s commit; it then waits for review</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Why roll it back? The reason goes into the revert commit, the reopened goal and the audit ledger.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Revisions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not tested</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>tests %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Revision %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 · %2 · %3 · %4%5</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> · current</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Apply &amp;decisions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>C&amp;omment…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Re&amp;quest changes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Update</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Comment on the change as a whole (comments on a line: C in Changes)</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Apply &amp;decisions (%n rejected)</source>
        <translation>
            <numerusform>Apply &amp;decisions (%n rejected)</numerusform>
            <numerusform>Apply &amp;decisions (%n rejected)</numerusform>
        </translation>
    </message>
    <message>
        <source>Make the next revision without the rejected hunks and files, and test it (reject with X in Changes, a whole file with Shift+X)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send the open comments (%1) and the rejected hunks to the goal&apos;s agent; its answer becomes the next revision, tested</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Update onto %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 moved to %2 since this change was made on %3: replay the change onto it as a new revision and test it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The change is on the target&apos;s head</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Left out of revision %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (the whole file)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Restore them as a new revision</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Comments</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the change</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> (base)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>outdated: its line changed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>sent; answered by revision %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>resolved by %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>open</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>reopen</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>resolve</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>#%1 · revision %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>conflict with the target</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Approved by</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2 of %3 needed)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>nobody yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reviewers asked</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is beyond the scope of the change (see Scope).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the goal</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>read by the plan</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>named on import</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a review comment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not recorded: this change was made before scopes were kept.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No scope to check: goal #%1 names no files (it was added without --files), so no file is flagged as beyond it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>⚠ No stated scope: this change was imported without --files, for a goal that names no files. Nothing says which files it should touch: read every file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Asked to change: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Every changed file is in scope.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>⚠ Beyond its scope: %1, %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n file(s)</source>
        <translation>
            <numerusform>%n file</numerusform>
            <numerusform>%n files</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n changed line(s)</source>
        <translation>
            <numerusform>%n changed line</numerusform>
            <numerusform>%n changed lines</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 (+%2 −%3)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scope</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No stated scope: read every file (see Scope).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No scope to check: goal #%1 names no files (its evidence points to none), so no file is flagged as beyond it.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::Revisions</name>
    <message>
        <source>Reading the object id &apos;%1&apos;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Writing the tree of the accepted hunks</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Replaying %1 onto %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Writing the replayed tree</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading the conflicts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Comparing both sides of %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keeping revision %1 of modification %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 already names another commit than revision %2 (%3); nothing was changed. Something other than Astra Review wrote it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Listing the revisions of modification %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Removing %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The branch %1 is no longer at %2 (someone moved it); nothing was changed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Moving %1 to %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Applying the accepted hunks of %1 to %2: %3</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::Sandbox</name>
    <message numerus="yes">
        <source>a trial run did not finish within %n second(s)</source>
        <translation>
            <numerusform>a trial run did not finish within %n second</numerusform>
            <numerusform>a trial run did not finish within %n seconds</numerusform>
        </translation>
    </message>
    <message>
        <source>a trial run failed with exit code %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>run as root, the sandbox drops to the user %1 with setpriv, which is not installed (Debian and Ubuntu: util-linux)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the folder %1 above it cannot be entered by %2, the unprivileged user the sandbox runs as when started by root; use a folder under /tmp (TMPDIR) or let others enter %1 (chmod o+x)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>its owner could not be changed to %1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the owner of %1 could not be changed to %2 (%3)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>weaker isolation: no network or file system isolation, and a process that starts its own session escapes the kill at the timeout</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>none (sandbox = &quot;none&quot;: %1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The command must run in the sandbox (%1 in [%2]), but bubblewrap (bwrap) is not on PATH, so nothing was run. Install bubblewrap (Debian and Ubuntu: sudo apt install bubblewrap; Fedora: sudo dnf install bubblewrap; Arch: sudo pacman -S bubblewrap), or set sandbox = &quot;none&quot; in [%2] to run without isolation (every such run is then marked unsandboxed).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The command must run in the sandbox (%1 in [%4]), but %2 does not work here (%3), so nothing was run. Allow it to create user namespaces (sysctl kernel.unprivileged_userns_clone=1, user.max_user_namespaces &gt; 0), or set sandbox = &quot;none&quot; in [%4] to run without isolation (every such run is then marked unsandboxed).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The folder %1 does not exist; nothing was run.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A sandboxed command may not run in the root folder; nothing was run.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No command was given; nothing was run.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The read-only path %1 for the sandbox is not an existing absolute path; nothing was run. Fix read_only in [%2].</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The folder %1 cannot be given to the sandbox: %2. Nothing was run.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(with the host&apos;s network)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(this bubblewrap cannot bound the private /tmp: 0.7 or later can)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(setsid is not installed: the timeout stops only the shell, not what it started; install util-linux)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The command could not be started: %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a scratch folder could not be made in %1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the scratch folder %1 could not be marked as this process&apos;s (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the folder %1 could not be made</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>some of its files could not be removed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>uid %1, a user of its own</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the scratch folder %1 could not be opened to %2 (%3)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(as %1: started by root)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::Scheduler</name>
    <message>
        <source>Plan %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No executor runs tasks of kind &apos;%1&apos;; this program runs: %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The scheduler was given no way to open the workspace&apos;s state.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Task %1: this worker&apos;s lease on it ran out while it ran, so its result was not recorded; the task runs again elsewhere.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::SettingsDialog</name>
    <message>
        <source>Cannot read %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot write %1: %2. Nothing was changed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Settings — %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Check</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not saved: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The configuration is valid.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The workspace&apos;s configuration (.astra.toml): policy, tests, jobs, proposers and the generator. It is checked before it is saved; see docs/configuration.md. Where the agent may write ([policy]) is read from the copy committed on the target branch: an edit of it counts once it is committed.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::Shared</name>
    <message numerus="yes">
        <source>%1: apply %n fix-it(s) in %2</source>
        <translation>
            <numerusform>%1: apply %n fix-it in %2</numerusform>
            <numerusform>%1: apply %n fix-its in %2</numerusform>
        </translation>
    </message>
    <message>
        <source>Job %1 failed %2 times in the last %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Job %1: %n test(s) fail: %2</source>
        <translation>
            <numerusform>Job %1: %n test fails: %2</numerusform>
            <numerusform>Job %1: %n tests fail: %2</numerusform>
        </translation>
    </message>
    <message>
        <source>the path policy of .astra.toml lets the agent change %1 of its %2 files; not: %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no proposer that can run here is configured ([proposer] kind) and the evidence has no fix-its</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no test command is configured ([tests] command)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no plan can carry it out with the capabilities configured now: %1%2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>confidence %1 is below [generator] min_confidence %2 (%3)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 goals were generated today; [generator] max_goals_per_day is %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the %1 detector made %2 goals today; [generator] max_goals_per_detector_per_day is %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>goal %1 about the same thing is open (&apos;%2&apos;)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>every file of the evidence is forbidden by the path policy: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>principle &apos;%1&apos; denies %2 (deny_paths %3)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>principle &apos;%1&apos; denies goals whose text matches %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>passed: confidence, rate limits, duplicates, principles, feasibility</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>auto-approved: confidence %1 &gt;= %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>[generator] auto_approve_plans: the goal was auto-approved</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the steps and files are what this change needs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>worth doing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bytes alone are hard to read in the job log: log a human-readable size (KiB, MiB) and the number of files instead.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>will be asked again with the format spelled out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>small, tested, and what the goal asked</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Out of scope: snapback stays pure Python so that it runs wherever python3 does.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Review an imported change</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Review an imported patch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Changes from branch %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Imported from branch %1 (its changes since %2).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>skipped: task %1 %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>task %1 was cancelled before it started</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>goal %1 is &apos;%2&apos;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>attempt %1 running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>plan %1 started</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>stopped after its timeout of %1 s: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cancelled: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>attempt %1 of %2 failed, retry after %3: %4</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>task %1 (%2) %3: %4</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the process running it (%1) died</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>requeued: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>failed: %1, and it had used its %2 attempts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 does not exist at %2 yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>read %1 (%n byte(s)) at %2</source>
        <translation>
            <numerusform>read %1 (%n byte) at %2</numerusform>
            <numerusform>read %1 (%n bytes) at %2</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>the %1 proposer changed %n file(s)</source>
        <translation>
            <numerusform>the %1 proposer changed %n file</numerusform>
            <numerusform>the %1 proposer changed %n files</numerusform>
        </translation>
    </message>
    <message>
        <source>modification %1 was already written</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>modification %1 on %2 (%n file(s))</source>
        <translation>
            <numerusform>modification %1 on %2 (%n file)</numerusform>
            <numerusform>modification %1 on %2 (%n files)</numerusform>
        </translation>
    </message>
    <message>
        <source>tests passed on %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>modification %1 awaits review</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the lease of %1 on it ran out at %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::ShortcutsDialog</name>
    <message>
        <source>Everywhere</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Action</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keys</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Where</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Assign</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Default</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Press the new keys for “%1”, then Assign. Default: %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This shortcut is fixed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keys:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is already the shortcut of %2 there; nothing was changed. Choose other keys, or give that action other keys first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 has no shortcut now.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is now %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 and %2 had the same keys (%3): %1 has none now. Help → Keyboard shortcuts assigns it others.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::StateMachine</name>
    <message>
        <source>none: &apos;%1&apos; is final</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::StatusPage</name>
    <message>
        <source>Branch:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>State:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Configuration:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Awaiting review:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scheduler:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Audit ledger:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Highlighting:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Goals by state</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>State</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Goals</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Opening %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (changes merge into %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>detached HEAD</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1, schema version %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>defaults (the repository has no .astra.toml)</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n modification(s)</source>
        <translation>
            <numerusform>%n modification</numerusform>
            <numerusform>%n modifications</numerusform>
        </translation>
    </message>
    <message>
        <source>%1: %2 queued, %3 running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>idle</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n entries</source>
        <translation>
            <numerusform>%n entry</numerusform>
            <numerusform>%n entries</numerusform>
        </translation>
    </message>
    <message>
        <source>, head %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refused by the goal generator</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>refused by the %1 check: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing refused yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>; %n task(s) wait for their plan&apos;s approval</source>
        <translation>
            <numerusform>; %n task wait for their plan&apos;s approval</numerusform>
            <numerusform>; %n tasks wait for their plan&apos;s approval</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>astra::TaskQueueModel</name>
    <message>
        <source>queued</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>succeeded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>skipped</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>plan %1: %2 of %n task(s) done</source>
        <translation>
            <numerusform>plan %1: %2 of %n task done</numerusform>
            <numerusform>plan %1: %2 of %n tasks done</numerusform>
        </translation>
    </message>
    <message>
        <source>#%1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1, cancel requested</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1/%2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Task</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Goal</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Action</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>State</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Plan progress</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Attempts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Updated (UTC)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>waiting for plan approval</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>running for %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::TaskQueueView</name>
    <message>
        <source>&amp;Queued and running only</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Cancel task</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel the selected task</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A queued task does not start; a running one stops at its next check (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n task(s) running</source>
        <translation>
            <numerusform>%n task running</numerusform>
            <numerusform>%n tasks running</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n queued</source>
        <translation>
            <numerusform>%n queued</numerusform>
            <numerusform>%n queued</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n in all</source>
        <translation>
            <numerusform>%n in all</numerusform>
            <numerusform>%n in all</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n waiting for plan approval</source>
        <translation>
            <numerusform>%n waiting for plan approval</numerusform>
            <numerusform>%n waiting for plan approval</numerusform>
        </translation>
    </message>
    <message>
        <source>Select a task to see its log.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Log of task %1: loading…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Log of task %1, as it runs:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Log of task %1:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing written yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This task wrote no log.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::TaskRepository</name>
    <message>
        <source>Reading task %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Task %1 does not exist; `astra tasks` lists them.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading the tasks of plan %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Listing tasks</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Looking for tasks to run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Counting running tasks</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Updating task %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Task %1 was changed by someone else since it was read (version %2); nothing was written.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Skipping the rest of plan %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelling task %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Task %1 does not exist.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recording a task run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recording a task run returned no id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Finishing task run %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Task run %1 is not running any more; nothing was written.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading the runs of task %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading the runs of job %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading unfinished job runs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading the runs of the tasks of plan %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recording the log of task run %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Claiming task %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Starting the lease of task %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Task %1 changed while it was being claimed; nothing was written.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Renewing the lease of task %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Looking for tasks whose lease ran out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checking the claim on task %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Task %1 does not exist; nothing was written for it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Task %1 is no longer held by %2 (its lease ran out and it was taken back, or it ended); nothing was written for it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The lease of %1 on task %2 ran out; nothing was written for it, and the task will be run again.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::TestReport</name>
    <message>
        <source>The report is not JUnit XML: its root element is &lt;%1&gt;, not &lt;testsuites&gt; or &lt;testsuite&gt;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The JUnit report is not well-formed XML (line %1, column %2): %3.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The JUnit report is empty.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The JUnit report lists no test cases: the command found or ran no tests.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CTest found no tests (&quot;No tests were found&quot;).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The output holds no CTest summary (&quot;N% tests passed, F tests failed out of T&quot;): the command did not run ctest, or stopped before it finished.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CTest ran no tests (&quot;out of 0&quot;).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The output holds no pytest summary line (&quot;== 2 failed, 10 passed in 0.12s ==&quot;): the command did not run pytest, or pytest stopped before it finished.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>pytest ran no tests (&quot;%1&quot;).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::TestRunner</name>
    <message>
        <source>The test report setting &quot;%1&quot; is not one of junit:PATH, ctest or pytest; nothing was run. Fix report in [tests].</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The JUnit report path &quot;%1&quot; is refused: it must be relative to the test folder and stay inside it (not empty, not absolute, no &quot;..&quot;); nothing was run. Fix report in [tests].</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The command wrote no JUnit report at %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The JUnit report %1 leads outside the test folder (a symlink to %2); it was not read.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The JUnit report %1 is not a regular file; it was not read.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The JUnit report %1 is larger than %2 MB; it was not read.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The JUnit report %1 could not be read: %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>[The output was cut at %1 bytes: %2 more bytes were dropped.]</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n second(s)</source>
        <translation>
            <numerusform>%n second</numerusform>
            <numerusform>%n seconds</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n failed</source>
        <translation>
            <numerusform>%n failed</numerusform>
            <numerusform>%n failed</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n error(s)</source>
        <translation>
            <numerusform>%n error</numerusform>
            <numerusform>%n errors</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n passed</source>
        <translation>
            <numerusform>%n passed</numerusform>
            <numerusform>%n passed</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n skipped</source>
        <translation>
            <numerusform>%n skipped</numerusform>
            <numerusform>%n skipped</numerusform>
        </translation>
    </message>
    <message>
        <source>No test command is set; nothing was run. Set command in [tests].</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The test timeout must be at least one second; nothing was run. Fix timeout_s in [tests].</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The test output file %1 could not be created (%2); nothing was run.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The tests did not finish within the timeout of %1 and were stopped, with every process they started.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The test command was killed by a signal before it exited.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The tests passed (exit code 0%1).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The tests failed (exit code %1%2).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exit code %1 means a command was not found or could not be run; in the sandbox only /usr, /etc and the test folder are visible.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exit code %1 means a command was not found or could not be run.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The report was not used: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The output was cut at %1 bytes of %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The output could not be written to %1: %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A write failed for lack of space (&quot;No space left on device&quot;). The sandbox&apos;s private /tmp and HOME hold %1 MiB: raise scratch_mb in [tests] if the tests need more.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No test ran (exit code %1): %2 Check that [tests] command builds and finds the tests in a fresh copy of the change.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::Transitions</name>
    <message>
        <source>Internal error: %1 must change state inside a write transaction; nothing was written</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Plan %1 is &apos;%2&apos; and cannot move to &apos;%3&apos;. Legal next states from &apos;%2&apos;: %4.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Internal error: task %1 moved to &apos;%2&apos; without naming the event</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Task %1 is &apos;%2&apos; and cannot move to &apos;%3&apos;. Legal next states from &apos;%2&apos;: %4.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Modification %1 is &apos;%2&apos; and cannot move to &apos;%3&apos;. Legal next states from &apos;%2&apos;: %4.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::TreeDiff</name>
    <message>
        <source>Opening the object database</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading the changes of %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading the parent of %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Comparing %1 with its parent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading the status of the work tree</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Comparing two trees</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading the blob %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::TreeExport</name>
    <message>
        <source>Cannot create %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot create the symlink %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exporting %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::Workspace</name>
    <message>
        <source>--repo %1: no such directory. Pass the path of a git repository.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is a bare repository. Astra Review reads .astra.toml from a work tree: use a clone with a work tree.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 holds no Astra Review state yet. Run `astra init` in %2 to create it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Internal error: the default configuration does not parse: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot create the state directory %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Counting modifications</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Counting tasks</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A goal needs a title: `astra goal add &quot;what should change&quot; [--files PATH...]`.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--files %1: a goal&apos;s files are paths relative to the repository root, inside it (e.g. src/parser.cpp).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The ledger is empty; there is nothing to checkpoint yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The change was recorded, but the ledger checkpoint refs/astra/ledger could not be updated: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Closing interrupted test runs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Goal %1 is &apos;%2&apos;: a finished goal takes no new modifications.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The path policy refused the patch; nothing was written:
%1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>[tests] command is empty in %1: set the command that runs the tests before testing modifications.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Modification %1 has no passing test run on its commit %2; nothing was merged.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The branch %1 no longer points at the reviewed commit %2; nothing was merged.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Modification %1 conflicts with %2 in: %3. It is now &apos;conflicted&apos;; nothing was merged.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Modification %1 is &apos;%2&apos;; only a merged modification can be rolled back.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Modification %1 cannot be rolled back cleanly: later commits on %2 changed %3. Nothing was changed; revert those first or resolve it by hand.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Plan %1 of goal %2 has started running; it cannot be replaced. Cancel its tasks first (`astra tasks`).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Goal %1 is &apos;%2&apos;: only an active goal, or a planned one whose plan has not started, can be planned. Approve a proposed goal first with `astra goal approve %1`.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>replanned</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the plan was replaced</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>plan %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Goal %1 has no plan (plan %2 records the attempt):
%3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Plan %1 of goal %2 is &apos;%3&apos;; only a proposed plan can be approved.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Goal %1 is &apos;%2&apos;; a plan is approved while its goal is planned.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recording the approval of plan %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Goal %1 has no plan yet; make one with `astra plan %1`.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Task %1 is &apos;%2&apos; already; only a queued or running task can be cancelled.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cancelled by %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 defines no [[jobs]]; add one with a name and a command.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is no job &apos;%1&apos; in %2; the jobs are: %3.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>none</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>passed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Modification %1 has no commit yet; its diff exists once it is written.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The job %1 ran without a sandbox (sandbox = &quot;none&quot; in [tests]): it could read and change anything you can.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The tests of modification %1 ran without a sandbox (sandbox = &quot;none&quot; in [tests]): they could read and change anything you can. The result is marked unsandboxed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot run `%1`: %2; nothing was run.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A scratch folder left by a run that died could not be removed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Removed the lock file %1, which a process that died had left (no process on this machine had it open).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The lock file %1 blocks git (commits, merges); no process on this machine has it open, so a process that died left it. If no git command is running, remove it: rm &apos;%1&apos;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 now records entry %2, but the database could not record that it does: %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Modification %1 and %2 (now at %3) both change %4, so it cannot be merged onto the new head; nothing was tested or changed. Reject it and have the goal worked on again from the new head.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 moved since the review (it was at %2 when modification %3 was approved, it is at %4); nothing was merged. `astra mod retest %3` tests the change on the new head and puts it back for review; approve it again to merge.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The .astra.toml committed on %1 cannot be read, and its [policy] is the one in force: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The .astra.toml committed on %1 is not valid, and its [policy] is the one in force. Fix it in a commit on %1:
%2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The [policy] of %1 differs from the one committed on %2. The committed one is in force: an edit of where the agent may write counts once it is committed on %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is missing from the work tree; the settings are the defaults, and the [policy] committed on %2 is in force.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 has no refs/astra/ledger to compare with; `astra ledger anchor --push %1` pushes one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the anchor pushed to %1 (commit %2) is not among the checkpoints of the local refs/astra/ledger: the local ref was moved back or replaced after it was pushed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Goal %1 is executing: its plan&apos;s tasks are at work on it. Wait for its modification, or cancel its tasks (`astra tasks`, `astra task cancel ID`), then import the change.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Plan %1 of goal %2 has started running; an imported change cannot replace it. Cancel its tasks first (`astra tasks`), then import the change.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Modification %1 is &apos;%2&apos;; only one that is untested, awaits approval, failed its tests or is approved can be tested (again). Nothing was done.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>To reject modification %1, say why: `astra mod reject %1 --reason TEXT`. The reason is kept with the modification and in the audit ledger.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>To roll back modification %1, say why: `astra mod rollback %1 --reason TEXT`. The reason goes into the revert commit, the reopened goal and the audit ledger.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Goal %1 exists for an imported change: it has no plan and no agent works on it. Import a new change for it with `astra propose --goal %1`.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No agent is configured ([proposer] kind is &quot;%1&quot;), so nothing can write the change. Set one in .astra.toml, e.g. [proposer] kind = &quot;agent&quot; with agent = &quot;claude&quot;, or kind = &quot;command&quot; with your own command (docs/agents.md).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No test command is set: set [tests] command in .astra.toml.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rejecting or abandoning goal %1 needs a reason: `astra goal %2 %1 --reason TEXT`. The reason is kept with the goal and in the audit ledger.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Modification %1 is being tested (revision %2); %3 waits until the tests end. Nothing was changed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Modification %1 is &apos;%2&apos;; %3 needs one still under review. Nothing was changed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Modification %1 has no commit yet; %2 needs one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Modification %1 has revisions 1 to %2; there is no revision %3.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a decision on a hunk; use accepted or rejected.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>deciding on its hunks</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Revision %1 of modification %2 does not change %3; `astra mod diff %2` lists what it changes.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 has no hunks in revision %2 of modification %3 (a binary, over-size or mode-only change): decide on the whole file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 has hunks 1 to %2 in revision %3 of modification %4; there is no hunk %5.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>applying decisions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No hunk or file of revision %1 of modification %2 is rejected, so there is nothing to apply. Reject one first (`astra mod reject-hunk %2 FILE HUNK`).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Every change of revision %1 of modification %2 is rejected; a revision without changes cannot be made. Reject the modification instead.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>restoring rejected hunks</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Revision %1 of modification %2 left nothing out (it was not made from hunk decisions), so there is nothing to restore.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>None of %1 was left out of revision %2 of modification %3; its left-out hunks are listed by `astra mod revisions %3 --json` (meta.rejected).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A comment needs words: say what should change and why.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a side of the diff; use new (the revision) or old (its base).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A comment on a line names its file (--file) and a line number from 1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>commenting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is not in %2 of modification %3 (%4); comment on a file the revision has.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the base</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>revision %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 has %2 lines in %3; there is no line %4.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>requesting changes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Revision %1 of modification %2 has no open comments and no rejected hunks, so there is nothing to send to the agent. Comment first (`astra mod comment %2 TEXT`).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The agent of modification %1 ran without a sandbox (sandbox = &quot;none&quot; in [proposer]): it could read and change anything you can.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>updating it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Modification %1 is already on the head of %2 (%3); there is nothing to update.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (now at %2) already has every change of modification %3; an update would be empty. Reject the modification: its work is done.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Revision %1 of modification %2 is not tested: [tests] command is empty in %3. It cannot be approved until it is tested.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Revision %1 of modification %2 was made but could not be tested: %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A comment is at most 64 KiB (this one has %1 characters): it goes into the agent&apos;s prompt. Say it shorter, or point to a file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Modification %1 was changed by someone else while revision %2 was being made (it is at revision %3 now); nothing was written. Look at it again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>approved it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>merged it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>rejected it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>rolled it back</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>found it in conflict</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>changed it (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> %1 %2 at %3.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Modification %1 is &apos;%2&apos;; %3.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> Nothing was done.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>it was decided while this decision was being carried out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Someone else</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is deciding on modification %2 right now: %3 is at %4, which carries it out; nothing was done.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 approved modification %2 already; [team] required_approvals = %3 asks for approvals by %3 different people. Nothing was done.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>created its goal %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>imported it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 %2, so %1 cannot approve modification %3: [team] separate_duties = true in .astra.toml asks for someone else. Ask another reviewer (`astra mod assign %3 PERSON`). Nothing was done.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Modification %1 changed while this decision was being made:%2 Nothing was done.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>only a modification whose tests passed (&apos;awaiting_approval&apos;) can be approved</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>it can no longer be rejected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>only an approved modification can be merged (`astra mod approve %1` after its tests passed)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Modification %1 has %2 of the %3 approvals [team] required_approvals in .astra.toml asks for (%4); nothing was merged. Another person approves it with `astra mod approve %1`.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>nobody</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&apos;%1&apos; does not name a person: give an e-mail address (bob@example.org) or a user name, as `astra mod show` lists approvers. Nothing was changed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name at least one person to ask for a review.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>only a merged modification can be rolled back</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>git config astra.database: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is not a PostgreSQL URL; a team shares a PostgreSQL database (postgresql://USER@HOST:PORT/DB). An SQLite file serves one machine.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This machine cannot run the sandbox agents and tests run in: bubblewrap (bwrap) is missing or does not work here. Install it (on Debian: apt install bubblewrap) and allow unprivileged user namespaces, then start the worker again. Nothing was claimed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>bubblewrap does not work on this machine: this worker runs the tests without a sandbox ([tests] sandbox = &quot;auto&quot;).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 has no branch %2, the target of .astra.toml: this is not the repository the team&apos;s database serves, or it is not up to date. Give --repo the path of that repository on this machine, or work in a clone of it that follows it (`git config astra.remote origin`). Nothing was claimed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Modification %1&apos;s commit %2 (branch %3) is not in %4: this is not the repository the team&apos;s database serves. Give --repo the path of that repository on this machine, or work in a clone of it that follows it (`git config astra.remote origin`). Nothing was claimed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The commit %1 is not in the team&apos;s repository %2 either: it was written in a repository that does not share it. Nothing was done.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What may have been pushed to the team&apos;s repository %1 could not be taken back (%2); the recovery of a workspace opened there removes it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 in %2 is at %3, which is not part of the history of the team&apos;s %1 in %4 (at %5). This clone follows the team&apos;s repository and only ever moves %1 forward to it. Keep those commits on another branch (`git branch mine %1`), then `git reset --keep %5` on %1 and start again. Nothing was changed or claimed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This clone follows the team&apos;s repository %1 (git config astra.remote): merge modification %2 in that repository, where the workstations decide, so that the target moves in one place. Nothing was done.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This clone follows the team&apos;s repository %1 (git config astra.remote): roll back modification %2 in that repository, where the workstations decide, so that the target moves in one place. Nothing was done.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1. Nothing was claimed. This clone follows the team&apos;s repository through the remote named by `git config astra.remote` (%2); check that this machine reaches it (`git fetch %2`).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The policy refused the change; nothing was written:
%1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name every file the change is meant to touch after --files.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A goal names the files it is about when it is added (`astra goal add TEXT --files PATH...`) or by the detector that found it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A review comment on a file puts it in the scope of the next revision.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::WorkspaceChooser</name>
    <message>
        <source>Open a workspace</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recent workspaces (Enter opens, Delete forgets):</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>None yet: browse for a folder inside a git repository.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Forget</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open a git repository</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::cli</name>
    <message>
        <source>Astra Review command line</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show this help.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Print the versions.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The repository.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PATH</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The state database URL.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>URL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Print one JSON document.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only goals in this state.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>STATE</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The arguments after the title are files.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Why.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TEXT</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Archive up to this entry.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SEQ</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Print at most N entries.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>N</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--db needs a URL: a file path, sqlite:///PATH or postgresql://USER@HOST:PORT/DB.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not an astra command.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Goal %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>  state       %1%2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>  kind        %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>  source      %1, created by %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>  confidence  %1, priority %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>  files       %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>  created     %1, updated %2 (version %3)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>goals takes no arguments; filter with --state STATE.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--state %1: not a goal state; use one of %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No goals are &apos;%1&apos;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No goals yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>goal needs a subcommand: add, show, approve, reject or abandon.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>goal add needs the goal&apos;s text: astra goal add &quot;TEXT&quot; [--files PATH...].</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>goal add takes one text; put quotes around it, or name files after --files.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--files needs at least one path.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Added goal %1 (%2): %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&apos;goal %1&apos; is not a command; use add, show, approve, reject or abandon.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>goal %1 needs exactly one goal id.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The goal id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Goal %1 is now &apos;%2&apos;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The ledger is intact: %1 entries (%2 archived in %3 segments), head %4.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is no checkpoint in refs/astra/ledger yet; `astra ledger checkpoint` writes one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>astra: the ledger is broken at entry %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ledger export needs exactly one argument: the file to write.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ledger %1 takes no arguments.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ledger archive needs --through SEQ: the last entry to archive.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wrote the ledger to %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Archived entries %1–%2 to %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>refs/astra/ledger records entry %1 (commit %2).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>init takes no arguments; use --repo PATH to name the repository.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wrote %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>  no test command found: set [tests] command before running modifications</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>  tests: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Kept %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>State: %1 (schema version %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>status takes no arguments.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Workspace %1 (branch %2, target %3)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>detached</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>State     %1 (schema version %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Config    %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>defaults (no .astra.toml)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Goals</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Modifications awaiting review: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scheduler: %1 (%2 queued, %3 running)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ledger: %1 entries</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>demo needs exactly one argument: the folder to create the demo workspace in.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open it with: astra-review --repo %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run `astra --help` for usage.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>astra: warning: </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--%1 does not apply to this command.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 must be a positive number, got &apos;%2&apos;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A unified diff to import.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>FILE</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A branch to import.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>NAME</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The goal the change belongs to.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ID</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A title for the change.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only what finished more than DAYS ago.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>DAYS</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Modification %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>  status   %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>  goal     %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>  branch   %1 (%2) on %3 at %4</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>  merged   %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>  reverted %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>  why      %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>  files    %1 (+%2 -%3)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>  flags    %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>  conflicts %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>  tests    %1 on %2: %3 passed, %4 failed, %5 skipped (%6)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--patch %1: cannot read it (%2).</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Modification %1 on %2: %n file(s), pending tests.</source>
        <translation>
            <numerusform>Modification %1 on %2: %n file, pending tests.</numerusform>
            <numerusform>Modification %1 on %2: %n files, pending tests.</numerusform>
        </translation>
    </message>
    <message>
        <source>Flags for the reviewer: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--state %1: not a modification status; use one of %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No modifications.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mod %1 needs exactly one modification id.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The modification id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Modification %1 is now &apos;%2&apos;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>prune takes no arguments.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--older-than must be a number of days (0 or more).</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Deleted %n branch(es).</source>
        <translation>
            <numerusform>Deleted %n branch.</numerusform>
            <numerusform>Deleted %n branches.</numerusform>
        </translation>
    </message>
    <message>
        <source>Stop the planner after S seconds.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>S</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: cannot read it (%2).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>hddl needs a subcommand: check DOMAIN [PROBLEM] or solve DOMAIN PROBLEM [--timeout S].</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>hddl check needs DOMAIN and optionally PROBLEM.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>hddl solve needs DOMAIN and PROBLEM.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--timeout must be a positive number of seconds.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Domain %1: %2 tasks, %3 methods, %4 actions.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Problem %1: %2 objects, %3 initial tasks, %4 facts.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>astra: no plan found (%1 after %2 expansions in %3 ms).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The search space was exhausted: there is no plan.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 could not be decomposed:</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>The search got furthest after %n action(s), at %1: %2</source>
        <translation>
            <numerusform>The search got furthest after %n action, at %1: %2</numerusform>
            <numerusform>The search got furthest after %n actions, at %1: %2</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Plan %1 for goal %2: %3 (%4, %n expansion(s), %5 ms)</source>
        <translation>
            <numerusform>Plan %1 for goal %2: %3 (%4, %n expansion, %5 ms)</numerusform>
            <numerusform>Plan %1 for goal %2: %3 (%4, %n expansions, %5 ms)</numerusform>
        </translation>
    </message>
    <message>
        <source>Approved by %1 at %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>goal</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing runs until the plan is approved: `astra plan approve %1`.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>tasks takes no arguments; filter with --state STATE.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--state %1: not a task state; use queued, running, succeeded, failed, cancelled or skipped.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No tasks.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Usage: astra task show|cancel ID</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>task</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>  run %1: attempt %2 %3, %4 ms, %5</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>run takes no arguments; choose a goal with --goal ID.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Task %1: %2, %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n task(s) run: %1 succeeded, %2 failed, %3 retried, %4 cancelled.</source>
        <translation>
            <numerusform>%n task run: %1 succeeded, %2 failed, %3 retried, %4 cancelled.</numerusform>
            <numerusform>%n tasks run: %1 succeeded, %2 failed, %3 retried, %4 cancelled.</numerusform>
        </translation>
    </message>
    <message>
        <source>detect takes no arguments.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The detectors found nothing.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Proposal %1 from %2 (confidence %3): %4</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>  accepted: goal %1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>  refused (%1): %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cycle takes no arguments.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Jobs: %n run(s).</source>
        <translation>
            <numerusform>Jobs: %n run.</numerusform>
            <numerusform>Jobs: %n runs.</numerusform>
        </translation>
    </message>
    <message>
        <source>  %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Detection: %n proposal(s).</source>
        <translation>
            <numerusform>Detection: %n proposal.</numerusform>
            <numerusform>Detection: %n proposals.</numerusform>
        </translation>
    </message>
    <message>
        <source>  accepted: %1 (goal %2, %3)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>  refused (%1): %2: %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Planning: %n plan(s).</source>
        <translation>
            <numerusform>Planning: %n plan.</numerusform>
            <numerusform>Planning: %n plans.</numerusform>
        </translation>
    </message>
    <message>
        <source>  goal %1: plan %2 (%3)</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Execution: %n task(s) run: %1 succeeded, %2 failed.</source>
        <translation>
            <numerusform>Execution: %n task run: %1 succeeded, %2 failed.</numerusform>
            <numerusform>Execution: %n tasks run: %1 succeeded, %2 failed.</numerusform>
        </translation>
    </message>
    <message>
        <source>Waiting for a person:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>  goals to approve: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>none</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>  plans to approve (goals): %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>  modifications to review: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Usage: astra jobs run [NAME] | astra jobs list</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>never run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>due</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No jobs in %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Job %1 (run %2): %3 in %4 ms</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run one turn and stop.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seconds between turns.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>worker takes no arguments.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--poll must be a whole number of seconds, 1 or more.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%1: %n job run(s); proposals %2, plans %3, tasks %4; awaiting review %5.</source>
        <translation>
            <numerusform>%1: %n job run; proposals %2, plans %3, tasks %4; awaiting review %5.</numerusform>
            <numerusform>%1: %n job runs; proposals %2, plans %3, tasks %4; awaiting review %5.</numerusform>
        </translation>
    </message>
    <message>
        <source>Only the refused proposals.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>proposals takes no arguments; use --refused and --limit N.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The generator has decided nothing yet: run `astra detect`.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Created the demo workspace in %1: %2 commits, %3 job runs, %4 proposals, %5 goals, %6 modifications.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>           UNSANDBOXED: ran without isolation (sandbox = &quot;none&quot; in [tests])</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>astra: warning: task %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is larger than %2 MiB, the most a command reads; nothing was done with it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ids and counts are positive numbers, got &apos;%1&apos;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Also compare with the anchor on this remote.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>REMOTE</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The remote to push the ledger anchor to.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>It matches all %1 checkpoints in refs/astra/ledger, the newest at entry %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The anchor pushed to %1 (commit %2) is one of them.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>astra: warning: refs/astra/ledger lags the ledger: its newest checkpoint is entry %1 and the ledger ends at entry %2, so only the database vouches for the entries after %1. `astra ledger checkpoint` records them.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ledger needs a subcommand: verify, show, export, archive, checkpoint or anchor.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&apos;ledger %1&apos; is not a command; use verify, show, export, archive, checkpoint or anchor.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ledger anchor needs --push REMOTE: a configured remote, a URL or a path.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pushed it to %1 as refs/astra/ledger.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mod needs a subcommand: show, retest, approve, reject, merge or rollback.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Policy    %1 (committed; the one in force)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>  (the same refusal of the same evidence as on %1; not recorded again)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>waiting for its plan&apos;s approval</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>; %n task(s) wait for their plan&apos;s approval</source>
        <translation>
            <numerusform>; %n task wait for their plan&apos;s approval</numerusform>
            <numerusform>; %n tasks wait for their plan&apos;s approval</numerusform>
        </translation>
    </message>
    <message>
        <source>Task %1 (%2, plan %3) started, attempt %4…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Task %1 (%2, plan %3) started…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Testing modification %1 (%2)…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not tested</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>tests %1 (%2 passed, %3 failed)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>  revision %1 %2  %3 by %4, %5; %6%7</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>  (current)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Changes since this revision.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>REV</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This revision.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file a comment is on.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The line a comment is on.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>new (the revision) or old (its base).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SIDE</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&apos;mod %1&apos; is not a command; use show, revisions, retest, approve, reject, merge, rollback, diff, accept-hunk, reject-hunk, clear-hunk, decisions, apply-decisions, restore-hunks, comment, comments, resolve, reopen, request-changes or update.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>  binary file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>  over the size limit: not shown</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source># hunk %1 (%2)%3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the change</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> (base)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>resolved by %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>outdated</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>answered by revision %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>#%1 on revision %2, %3 — %4%5</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--%1 %2: a revision number of modification %3 (1, 2, …)%4.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>, or last</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mod %1 needs a comment id (`astra mod comments ID` lists them).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mod %1 needs a modification id.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The comment id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mod %1 needs a modification id, a file and optionally a hunk number (without one, the whole file).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The hunk is a number from 1, as `astra mod diff %1` shows it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mod comment needs the comment&apos;s words after the modification id.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mod %1 takes one id.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--line is a line number from 1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--line needs --file: the file the line is in.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Modification %1: revision %2 (%3, %4) is now &apos;%5&apos;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hunk %1 of %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: no decision (revision %2).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2 (revision %3). `astra mod apply-decisions %4` makes the next revision.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No decisions on the current revision.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(whole file)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No comments.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Modification %1 conflicts with %2 at %3; nothing was changed. Each file below shows %2&apos;s version (-) against the change&apos;s (+); the conflicts are comments now, and `astra mod request-changes %1` sends them to the agent.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This plan of the goal.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>In the planner&apos;s symbols.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Write the picture as SVG.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Write the graph in Graphviz&apos;s DOT.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>waiting for the plan&apos;s approval</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>task %1, %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>plan</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Plan %1 is not a plan of goal %2, which has none yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Plan %1 is not a plan of goal %2; its plans are %3 (`astra plan history %2`).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Goal %1 has no plan yet; make one with `astra plan %1`.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Plan %1  %2  %3  %4</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compare two with `astra plan compare %1 OLDER NEWER` (the newest two without them).</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Goal %1 has %n plan(s); a comparison needs two. Replan it with `astra plan %1`.</source>
        <translation>
            <numerusform>Goal %1 has %n plan; a comparison needs two. Replan it with `astra plan %1`.</numerusform>
            <numerusform>Goal %1 has %n plans; a comparison needs two. Replan it with `astra plan %1`.</numerusform>
        </translation>
    </message>
    <message>
        <source>Plan %1 is not a plan of goal %2; see `astra plan history %2`.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>From plan %1 (%2) to plan %3 (%4):</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>  The same decomposition.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>plan export needs one of --svg FILE or --dot FILE.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Plan %1 of goal %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot write %1: %2. Nothing was written; choose a writable path.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Wrote plan %1 (%n node(s)) to %2.</source>
        <translation>
            <numerusform>Wrote plan %1 (%n node) to %2.</numerusform>
            <numerusform>Wrote plan %1 (%n nodes) to %2.</numerusform>
        </translation>
    </message>
    <message>
        <source>Usage: astra plan GOAL | astra plan show GOAL [--plan ID] [--symbolic] | astra plan approve GOAL [--reason TEXT] | astra plan history GOAL | astra plan compare GOAL [OLDER NEWER] | astra plan export GOAL --svg FILE|--dot FILE [--plan ID] [--symbolic]</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--plan ID goes with plan show and plan export.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--svg and --dot go with plan export.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only what you are asked to review.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>  approved by %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>  reviewers %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mods takes no arguments; filter with --state STATE or --assigned-to-me.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mod %1 needs a modification id and at least one person (an e-mail address or a user name).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reviewers of modification %1: %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>nobody asked</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Approval recorded: modification %1 has %2 of the %3 approvals it needs (%4).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>team takes one command: team init postgresql://USER@HOST:PORT/DB</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is ready (schema %2, nothing to change).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is ready: schema %2 (it was at %3).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Each member and each worker runs this once in their clone of the repository:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The password was left out of that line: keep it in ~/.pgpass (mode 600), which PostgreSQL reads, never in a shared line.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Then `astra init` in one clone writes .astra.toml (commit it); [team] in it sets the approvals a merge needs. See docs/teams.md.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Team      follows the team&apos;s repository through the remote %1 (git config astra.remote)</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Every way was tried but %n that came back, partway through, to a task already being decomposed in the same state; a plan that needs such a repetition may exist.</source>
        <translation>
            <numerusform>Every way was tried but %n that came back, partway through, to a task already being decomposed in the same state; a plan that needs such a repetition may exist.</numerusform>
            <numerusform>Every way was tried but %n that came back, partway through, to a task already being decomposed in the same state; a plan that needs such a repetition may exist.</numerusform>
        </translation>
    </message>
    <message>
        <source>Usage: astra [--repo PATH] [--db URL] [--json] COMMAND [ARGS]

Review and control the changes an agent proposes to a git repository.

Commands:
  init                          write .astra.toml (if absent) and create the state
  status                        goals per state, modifications awaiting review, scheduler
  goals [--state S]             list goals
  team init postgresql://USER@HOST:PORT/DB
                                make a team&apos;s shared database ready and print the line each
                                member and worker puts in their clone&apos;s git configuration
  goal add TEXT [--files P...]  add a goal of your own
  goal show ID                  show one goal
  goal approve|reject|abandon ID [--reason TEXT]
                                decide on a goal; the reason is kept in the ledger
  plan GOAL                     plan the goal and print the decomposition tree
  plan show GOAL [--plan ID] [--symbolic]
                                the goal&apos;s current (or an earlier) plan in words, with its tasks;
                                --symbolic in the planner&apos;s symbols
  plan history GOAL             every plan the goal has had
  plan compare GOAL [OLDER NEWER]
                                which ways changed between two plans, and why
  plan export GOAL --svg FILE|--dot FILE [--plan ID] [--symbolic]
                                the decomposition as a picture (SVG) or a Graphviz graph (- for
                                standard output)
  plan approve GOAL [--reason TEXT]
                                approve the plan; nothing runs before that
  run [--goal ID]               run approved plans until their modifications await review,
                                then test modifications imported with propose
  jobs list                     the jobs of .astra.toml, their last outcome, whether due
  jobs run [NAME]               run the jobs (or one) now; each run is recorded
  detect                        run the detectors; print each proposal&apos;s decision and why
  proposals [--refused] [--limit N]
                                the generator&apos;s decisions so far, newest first, with why
  cycle                         due jobs, detection, planning, execution, up to review
  worker [--poll S] [--once]    run cycles until stopped (SIGTERM): due jobs, detection every
                                [generator] interval, approved plans
  tasks [--state S]             list tasks
  task show|cancel ID           show a task with its runs, or stop it
  propose --patch FILE | --branch NAME [--goal ID] [--title TEXT] [--files PATH...]
                                import an agent&apos;s change as a modification; its scope is
                                the files named, else its goal&apos;s
  mods [--state S] [--assigned-to-me]
                                list modifications (those you are asked to review)
  mod show|approve|reject|merge|rollback ID [--reason TEXT]
                                show a modification or decide on it; merge needs the approvals
                                [team] required_approvals asks for
  mod assign|unassign ID PERSON...
                                ask people (e-mail address or user) to review it, or stop asking
  mod retest ID                 test again on the target&apos;s head as it is now; back to review
  mod revisions ID              its revisions: commit, origin, author, tests
  mod diff ID [--since REV|last] [--revision REV]
                                the change with numbered hunks, or what changed between revisions
  mod accept-hunk|reject-hunk|clear-hunk ID FILE [HUNK]
                                decide on a hunk (or the whole file) of the current revision
  mod decisions ID              the decisions on the current revision
  mod apply-decisions ID        a new revision without the rejected hunks, tested
  mod restore-hunks ID [KEY...] a new revision with the left-out hunks (or those named) back
  mod comment ID [--file F [--line L] [--side old]] TEXT
                                comment on a line, a file or the whole change
  mod comments ID               the comments, where they are and whether resolved
  mod resolve|reopen COMMENT    mark a comment resolved, or open again
  mod request-changes ID        send the open comments and rejected hunks to the agent; its
                                answer becomes the next revision, tested
  mod update ID                 replay the change onto the target&apos;s head as a new revision
  prune [--older-than DAYS]     delete the branches of finished modifications
  ledger verify [--anchor REMOTE]
                                recompute the audit chain; compare it with every checkpoint in
                                refs/astra/ledger (and with the anchor pushed to REMOTE)
  ledger show [--limit N]       print the ledger entries still in the table
  ledger export FILE            write every entry as JSON lines
  ledger archive --through SEQ  move old entries to a JSONL segment; the chain continues
  ledger checkpoint             record the ledger head in refs/astra/ledger
  ledger anchor --push REMOTE   checkpoint and push refs/astra/ledger to REMOTE (fast-forward only)
  hddl check DOMAIN [PROBLEM]   read HDDL files; errors name the file, line and column
  hddl solve DOMAIN PROBLEM [--timeout S]
                                plan, printing the plan in the IPC HTN track format
  demo DIR                      create the demo workspace in DIR

Options:
  --repo PATH   the repository (default: the one around the current directory)
  --db URL      the state: a file, sqlite:///PATH or postgresql://USER@HOST:PORT/DB
                (default: &lt;git dir&gt;/astra/state.db)
  --json        print one JSON document
  --version     print the versions of astra, Qt and libgit2

Exit status: 0 success, 1 the operation failed or was refused, 2 usage error.
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>read by the plan</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>review comment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>  scope    not recorded (made before scopes were kept)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>  scope    none: goal %1 names no files, so nothing is beyond it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>  scope    NO STATED SCOPE: imported without --files, for a goal that names no files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>  scope    %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>  beyond   nothing: every changed file is in scope</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>  BEYOND SCOPE: %1, %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n file(s)</source>
        <translation>
            <numerusform>%n file</numerusform>
            <numerusform>%n files</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n changed line(s)</source>
        <translation>
            <numerusform>%n changed line</numerusform>
            <numerusform>%n changed lines</numerusform>
        </translation>
    </message>
    <message>
        <source>propose needs exactly one of --patch FILE or --branch NAME; the files the change is meant to touch go after --files.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>astra::git</name>
    <message>
        <source>no detail</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading commit %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading the tree of %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Initialising libgit2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Turning on %1 in libgit2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Listing the conflicts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Applying the change</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is not on the base as the change found it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is already on the base.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>Run `astra-review --help` for usage.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The Astra Review workstation.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Print the versions.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The repository.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The state database URL.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Render the view offscreen to a PNG file and exit.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unexpected argument &apos;%1&apos;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--view %1: no such view in this version; available: %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>astra-review: cannot write %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>astra-review: the workspace did not load within 60 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The view to show first (with --screenshot, the view to render): status, kanban, plan, review, diff, tasks or ledger.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The palette: system, light or dark (default: as last chosen).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--theme %1: use system, light or dark.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The modification to open in the review and the diff (default, with --view review or diff: the first one waiting for review).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--modification %1: give a modification&apos;s number (see `astra status`).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The goal to show on the board and in the plan (default: the first one waiting for review).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--goal %1: give a goal&apos;s number (see `astra goals`).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
