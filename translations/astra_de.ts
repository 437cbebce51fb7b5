<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de">
<context>
    <name>astra::AgentProposer</name>
    <message>
        <source>Cannot write %1 for the agent: %2</source>
        <translation>%1 kann für den Agenten nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <source>The agent cannot run: %1.</source>
        <translation>Der Agent kann nicht laufen: %1.</translation>
    </message>
    <message>
        <source>Cannot create %1 for the agent.</source>
        <translation>%1 kann für den Agenten nicht angelegt werden.</translation>
    </message>
    <message>
        <source>The agent %1 is not installed: there is no `%2` on PATH. %3, or choose another agent in [proposer] agent.</source>
        <translation>Der Agent %1 ist nicht installiert: `%2` ist nicht im PATH. %3, oder wählen Sie in [proposer] agent einen anderen Agenten.</translation>
    </message>
    <message>
        <source>The agent %1 did not run: %2</source>
        <translation>Der Agent %1 lief nicht: %2</translation>
    </message>
    <message>
        <source>The agent %1 failed with exit status %2: %3</source>
        <translation>Der Agent %1 schlug mit Exit-Status %2 fehl: %3</translation>
    </message>
    <message>
        <source>The agent %1 was killed by a signal: %2</source>
        <translation>Der Agent %1 wurde durch ein Signal beendet: %2</translation>
    </message>
    <message>
        <source>A write failed for lack of space: the sandbox&apos;s private /tmp and HOME hold %1 MiB; raise scratch_mb in [proposer] if the agent needs more.</source>
        <translation>Ein Schreibvorgang scheiterte aus Platzmangel: das private /tmp und HOME der Sandbox fassen %1 MiB; erhöhen Sie scratch_mb in [proposer], wenn der Agent mehr braucht.</translation>
    </message>
    <message>
        <source>A file grew past the limit of %1 MiB per file.</source>
        <translation>Eine Datei wuchs über die Grenze von %1 MiB je Datei.</translation>
    </message>
    <message>
        <source>It ran without network ([proposer] network = &quot;none&quot;): an agent that must reach its model needs network = &quot;host&quot;.</source>
        <translation>Er lief ohne Netzwerk ([proposer] network = &quot;none&quot;): ein Agent, der sein Modell erreichen muss, braucht network = &quot;host&quot;.</translation>
    </message>
    <message>
        <source>The agent %1 wrote more than %2 MiB on stdout; its answer was refused.</source>
        <translation>Der Agent %1 schrieb mehr als %2 MiB auf stdout; seine Antwort wurde abgelehnt.</translation>
    </message>
    <message>
        <source>The agent %1 finished without changing any file in its checkout and without a diff or change set on stdout.</source>
        <translation>Der Agent %1 endete, ohne eine Datei in seinem Checkout zu ändern und ohne Diff oder Änderungssatz auf stdout.</translation>
    </message>
    <message>
        <source>The agent %1 changed no file in its checkout, and its output is not a change: %2</source>
        <translation>Der Agent %1 hat keine Datei in seinem Checkout geändert, und seine Ausgabe ist keine Änderung: %2</translation>
    </message>
    <message>
        <source>Proposed by %1.</source>
        <translation>Vorgeschlagen von %1.</translation>
    </message>
    <message>
        <source>The agent ran with the host&apos;s network (network = &quot;host&quot;) on a machine with an X11 display: it could reach the display&apos;s socket, and with it type into your desktop. Run agents that need the network on a machine without a desktop session.</source>
        <translation>Der Agent lief mit dem Netzwerk des Rechners (network = &quot;host&quot;) auf einem Rechner mit X11-Anzeige: er konnte den Socket der Anzeige erreichen und damit in Ihre Arbeitsfläche tippen. Lassen Sie Agenten, die das Netzwerk brauchen, auf einem Rechner ohne Desktop-Sitzung laufen.</translation>
    </message>
    <message>
        <source>It was stopped with every process it started.</source>
        <translation>Er wurde mit jedem Prozess angehalten, den er gestartet hatte.</translation>
    </message>
    <message>
        <source>It was stopped with its process group; without a sandbox, a process it moved to a session of its own may still run.</source>
        <translation>Er wurde mit seiner Prozessgruppe angehalten; ohne Sandbox kann ein Prozess, den er in eine eigene Sitzung verlegt hat, noch laufen.</translation>
    </message>
    <message>
        <source>The agent %1 was cancelled. %2</source>
        <translation>Der Agent %1 wurde abgebrochen. %2</translation>
    </message>
    <message>
        <source>The agent %1 did not finish within %2 s ([proposer] timeout_s). %3</source>
        <translation>Der Agent %1 wurde nicht innerhalb von %2 s fertig ([proposer] timeout_s). %3</translation>
    </message>
    <message>
        <source>In the sandbox only /usr, /etc, the agent&apos;s own folder and [proposer] read_only are visible: an agent installed elsewhere needs what it uses listed in read_only.</source>
        <translation>In der Sandbox sind nur /usr, /etc, der eigene Ordner des Agenten und [proposer] read_only sichtbar: ein anderswo installierter Agent braucht, was er verwendet, in read_only.</translation>
    </message>
</context>
<context>
    <name>astra::ChangeFeed</name>
    <message>
        <source>Cannot listen for changes on %1: %2. The view refreshes only on its own actions and F5.</source>
        <translation>Änderungen an %1 können nicht abonniert werden: %2. Die Ansicht aktualisiert sich nur nach eigenen Aktionen und mit F5.</translation>
    </message>
    <message>
        <source>Cannot watch %1 for changes; the view refreshes only on its own actions and F5.</source>
        <translation>%1 kann nicht auf Änderungen beobachtet werden; die Ansicht aktualisiert sich nur nach eigenen Aktionen und mit F5.</translation>
    </message>
    <message>
        <source>Reading the data version</source>
        <translation>Lesen der Datenversion</translation>
    </message>
    <message>
        <source>Reading the ledger head</source>
        <translation>Den Kopf des Protokolls lesen</translation>
    </message>
</context>
<context>
    <name>astra::Config</name>
    <message>
        <source>%1 or %2</source>
        <translation>%1 oder %2</translation>
    </message>
    <message>
        <source>the string %1</source>
        <translation>die Zeichenkette %1</translation>
    </message>
    <message>
        <source>the integer %1</source>
        <translation>die Ganzzahl %1</translation>
    </message>
    <message>
        <source>the number %1</source>
        <translation>die Zahl %1</translation>
    </message>
    <message>
        <source>the boolean %1</source>
        <translation>der Wahrheitswert %1</translation>
    </message>
    <message>
        <source>a table</source>
        <translation>eine Tabelle</translation>
    </message>
    <message>
        <source>an array</source>
        <translation>ein Array</translation>
    </message>
    <message>
        <source>a date</source>
        <translation>ein Datum</translation>
    </message>
    <message>
        <source>a time</source>
        <translation>eine Uhrzeit</translation>
    </message>
    <message>
        <source>a date-time</source>
        <translation>ein Datum mit Uhrzeit</translation>
    </message>
    <message>
        <source>nothing</source>
        <translation>nichts</translation>
    </message>
    <message>
        <source>the path after &apos;%1&apos; is missing</source>
        <translation>der Pfad nach &apos;%1&apos; fehlt</translation>
    </message>
    <message>
        <source>the path must be relative and must not leave the working folder</source>
        <translation>der Pfad muss relativ sein und darf den Arbeitsordner nicht verlassen</translation>
    </message>
    <message>
        <source>expected %1, found %2</source>
        <translation>erwartet: %1, gefunden: %2</translation>
    </message>
    <message>
        <source>unknown table</source>
        <translation>unbekannte Tabelle</translation>
    </message>
    <message>
        <source>unknown key</source>
        <translation>unbekannter Schlüssel</translation>
    </message>
    <message>
        <source>; never write a secret into .astra.toml, which is committed with the repository: put it in an environment variable and name that variable in proposer.api_key_env</source>
        <translation>; schreiben Sie niemals ein Geheimnis in .astra.toml, da diese Datei mit dem Repository committet wird: Legen Sie es in einer Umgebungsvariablen ab und geben Sie den Namen dieser Variablen in proposer.api_key_env an</translation>
    </message>
    <message>
        <source>; did you mean &apos;%1&apos;?</source>
        <translation>; meinten Sie &apos;%1&apos;?</translation>
    </message>
    <message>
        <source>; did you mean %1?</source>
        <translation>; meinten Sie %1?</translation>
    </message>
    <message>
        <source>; expected one of: %1</source>
        <translation>; erwartet wird einer der folgenden Werte: %1</translation>
    </message>
    <message>
        <source>a table ([%1])</source>
        <translation>eine Tabelle ([%1])</translation>
    </message>
    <message>
        <source>an array of tables ([[%1]])</source>
        <translation>ein Array von Tabellen ([[%1]])</translation>
    </message>
    <message>
        <source>an array of strings</source>
        <translation>ein Array von Zeichenketten</translation>
    </message>
    <message>
        <source>one of %1</source>
        <translation>einer der Werte %1</translation>
    </message>
    <message>
        <source>did you mean &apos;%1&apos;?</source>
        <translation>meinten Sie &apos;%1&apos;?</translation>
    </message>
    <message>
        <source>the largest value is %1</source>
        <translation>der größte zulässige Wert ist %1</translation>
    </message>
    <message>
        <source>a number from 0 to 1</source>
        <translation>eine Zahl von 0 bis 1</translation>
    </message>
    <message>
        <source>true or false</source>
        <translation>true oder false</translation>
    </message>
    <message>
        <source>a duration such as 30s, 15m, 24h or 7d</source>
        <translation>eine Dauer wie 30s, 15m, 24h oder 7d</translation>
    </message>
    <message>
        <source>a branch name such as &quot;main&quot;</source>
        <translation>ein Branch-Name wie &quot;main&quot;</translation>
    </message>
    <message>
        <source>a path glob such as &quot;src/&quot;</source>
        <translation>ein Pfad-Glob wie &quot;src/&quot;</translation>
    </message>
    <message>
        <source>a positive integer (kilobytes)</source>
        <translation>eine positive Ganzzahl (Kilobyte)</translation>
    </message>
    <message>
        <source>a string (the command line that runs the tests)</source>
        <translation>eine Zeichenkette (die Befehlszeile, die die Tests ausführt)</translation>
    </message>
    <message>
        <source>a positive integer (seconds)</source>
        <translation>eine positive Ganzzahl (Sekunden)</translation>
    </message>
    <message>
        <source>a table ([[jobs]])</source>
        <translation>eine Tabelle ([[jobs]])</translation>
    </message>
    <message>
        <source>a job name</source>
        <translation>ein Job-Name</translation>
    </message>
    <message>
        <source>expected %1, found none (every [[jobs]] entry needs a name and a command)</source>
        <translation>erwartet: %1, nichts gefunden (jeder [[jobs]]-Eintrag benötigt einen Namen und einen Befehl)</translation>
    </message>
    <message>
        <source>a command line</source>
        <translation>eine Befehlszeile</translation>
    </message>
    <message>
        <source>a name no other job has</source>
        <translation>ein Name, den kein anderer Job hat</translation>
    </message>
    <message>
        <source>%1 has that name</source>
        <translation>%1 hat diesen Namen</translation>
    </message>
    <message>
        <source>an integer, 0 or more</source>
        <translation>eine Ganzzahl, 0 oder größer</translation>
    </message>
    <message>
        <source>unknown detector</source>
        <translation>unbekannter Detektor</translation>
    </message>
    <message>
        <source>a positive integer (failed runs)</source>
        <translation>eine positive Ganzzahl (fehlgeschlagene Läufe)</translation>
    </message>
    <message>
        <source>a table ([[principles]])</source>
        <translation>eine Tabelle ([[principles]])</translation>
    </message>
    <message>
        <source>a principle name</source>
        <translation>ein Prinzip-Name</translation>
    </message>
    <message>
        <source>expected %1, found none (every [[principles]] entry needs a name)</source>
        <translation>erwartet: %1, nichts gefunden (jeder [[principles]]-Eintrag benötigt einen Namen)</translation>
    </message>
    <message>
        <source>a path glob such as &quot;src/auth/&quot;</source>
        <translation>ein Pfad-Glob wie &quot;src/auth/&quot;</translation>
    </message>
    <message>
        <source>a regular expression</source>
        <translation>ein regulärer Ausdruck</translation>
    </message>
    <message>
        <source>an empty pattern matches every goal</source>
        <translation>ein leeres Muster passt auf jedes Ziel</translation>
    </message>
    <message>
        <source>%1 at offset %2</source>
        <translation>%1 bei Offset %2</translation>
    </message>
    <message>
        <source>a name no other principle has</source>
        <translation>ein Name, den kein anderes Prinzip hat</translation>
    </message>
    <message>
        <source>an http:// or https:// URL such as &quot;http://127.0.0.1:8080/v1&quot;</source>
        <translation>eine http://- oder https://-URL wie &quot;http://127.0.0.1:8080/v1&quot;</translation>
    </message>
    <message>
        <source>a model name</source>
        <translation>ein Modellname</translation>
    </message>
    <message>
        <source>the name of an environment variable such as &quot;OPENAI_API_KEY&quot;, or &quot;&quot; to send no key</source>
        <translation>der Name einer Umgebungsvariablen wie &quot;OPENAI_API_KEY&quot; oder &quot;&quot;, um keinen Schlüssel zu senden</translation>
    </message>
    <message>
        <source>expected %1 because proposer.kind is &quot;%2&quot;, found none</source>
        <translation>erwartet: %1, da proposer.kind &quot;%2&quot; ist, nichts gefunden</translation>
    </message>
    <message numerus="yes">
        <source>and %n more problem(s)</source>
        <translation>
            <numerusform>und %n weiteres Problem</numerusform>
            <numerusform>und %n weitere Probleme</numerusform>
        </translation>
    </message>
    <message>
        <source>TOML syntax error: %1</source>
        <translation>TOML-Syntaxfehler: %1</translation>
    </message>
    <message>
        <source>%1: no such file; run `astra init` to write a commented default configuration</source>
        <translation>%1: Datei nicht vorhanden; führen Sie `astra init` aus, um eine kommentierte Standardkonfiguration zu schreiben</translation>
    </message>
    <message>
        <source>%1: cannot read the configuration: %2</source>
        <translation>%1: Die Konfiguration kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <source>expected a duration such as 30s, 15m, 24h or 7d (a positive whole number and one unit: s, m, h or d), found &quot;%1&quot;</source>
        <translation>erwartet: eine Dauer wie 30s, 15m, 24h oder 7d (eine positive ganze Zahl und eine Einheit: s, m, h oder d), gefunden: &quot;%1&quot;</translation>
    </message>
    <message>
        <source>expected a duration greater than zero, such as 30s, 15m, 24h or 7d, found &quot;%1&quot;</source>
        <translation>erwartet: eine Dauer größer als null, etwa 30s, 15m, 24h oder 7d, gefunden: &quot;%1&quot;</translation>
    </message>
    <message>
        <source>expected a duration such as 30s, 15m, 24h or 7d, found &quot;%1&quot;, which is too long</source>
        <translation>erwartet: eine Dauer wie 30s, 15m, 24h oder 7d, gefunden: &quot;%1&quot;, was zu lang ist</translation>
    </message>
    <message>
        <source>a positive integer (mebibytes)</source>
        <translation>eine positive ganze Zahl (Mebibyte)</translation>
    </message>
    <message>
        <source>for %1 write kind = &quot;agent&quot; and agent = &quot;%1&quot;</source>
        <translation>für %1 schreiben Sie kind = &quot;agent&quot; und agent = &quot;%1&quot;</translation>
    </message>
    <message>
        <source>an absolute path such as &quot;/opt/agent&quot; or &quot;~/.local/share/pipx/venvs/aider&quot;</source>
        <translation>ein absoluter Pfad wie &quot;/opt/agent&quot; oder &quot;~/.local/share/pipx/venvs/aider&quot;</translation>
    </message>
    <message>
        <source>the name of an environment variable such as &quot;ANTHROPIC_API_KEY&quot;</source>
        <translation>der Name einer Umgebungsvariablen wie &quot;ANTHROPIC_API_KEY&quot;</translation>
    </message>
    <message>
        <source>%1 is not a branch people merge into</source>
        <translation>%1 ist kein Branch, in den Menschen zusammenführen</translation>
    </message>
    <message>
        <source>patterns are relative to the repository, without a leading /</source>
        <translation>Muster sind relativ zum Repository, ohne führenden /</translation>
    </message>
    <message>
        <source>no repository path has a . or .. component, so it would never match</source>
        <translation>kein Repository-Pfad hat eine Komponente . oder .., also würde es nie passen</translation>
    </message>
    <message>
        <source>%1: the configuration is %2 bytes, more than the %3 a configuration may have; it is not read.</source>
        <translation>%1: die Konfiguration ist %2 Bytes groß, mehr als die %3, die eine Konfiguration haben darf; sie wird nicht gelesen.</translation>
    </message>
    <message>
        <source>a positive integer (files)</source>
        <translation>eine positive ganze Zahl (Dateien)</translation>
    </message>
    <message>
        <source>a positive integer (people who approve)</source>
        <translation>eine positive ganze Zahl (Personen, die freigeben)</translation>
    </message>
    <message>
        <source>expected a duration of 2 s or more (a worker renews its lease every third of it)</source>
        <translation>erwartet: eine Dauer von 2 s oder mehr (ein Worker erneuert seine Leihfrist nach jedem Drittel davon)</translation>
    </message>
    <message>
        <source>a positive integer (lines)</source>
        <translation>eine positive ganze Zahl (Zeilen)</translation>
    </message>
</context>
<context>
    <name>astra::Cycle</name>
    <message>
        <source>goal %1: %2</source>
        <translation>Ziel %1: %2</translation>
    </message>
    <message>
        <source>task %1: %2</source>
        <translation>Aufgabe %1: %2</translation>
    </message>
</context>
<context>
    <name>astra::Database</name>
    <message>
        <source>The Qt SQL driver %1 for %2 is not installed; install the Qt SQL plugin package for %2 (on Debian: libqt6sql6-%3 or libqt5sql5-%3).</source>
        <translation>Der Qt-SQL-Treiber %1 für %2 ist nicht installiert; installieren Sie das Qt-SQL-Plugin-Paket für %2 (unter Debian: libqt6sql6-%3 oder libqt5sql5-%3).</translation>
    </message>
    <message>
        <source>The workspace state %1 does not exist. Run `astra init` in the repository to create it, or pass --db with an existing database.</source>
        <translation>Die Zustandsdatenbank %1 des Arbeitsbereichs existiert nicht. Führen Sie `astra init` im Repository aus, um sie anzulegen, oder geben Sie mit --db eine vorhandene Datenbank an.</translation>
    </message>
    <message>
        <source>Cannot open the workspace state %1: %2</source>
        <translation>Die Zustandsdatenbank %1 des Arbeitsbereichs kann nicht geöffnet werden: %2</translation>
    </message>
    <message>
        <source>%1 failed in %2: %3</source>
        <translation>%1 in %2 fehlgeschlagen: %3</translation>
    </message>
    <message>
        <source>Internal error: transactions on %1 do not nest</source>
        <translation>Interner Fehler: Transaktionen auf %1 lassen sich nicht verschachteln</translation>
    </message>
    <message>
        <source>Starting a transaction</source>
        <translation>Starten einer Transaktion</translation>
    </message>
    <message>
        <source>Committing the transaction</source>
        <translation>Festschreiben der Transaktion</translation>
    </message>
    <message>
        <source>the PostgreSQL server&apos;s disk is full (%1); free space on the server and run the command again</source>
        <translation>die Festplatte des PostgreSQL-Servers ist voll (%1); schaffen Sie auf dem Server Platz und führen Sie den Befehl erneut aus</translation>
    </message>
    <message>
        <source>the disk holding %1 is full (%2 bytes free); free space there and run the command again (SQLite: %3)</source>
        <translation>die Festplatte mit %1 ist voll (%2 Bytes frei); schaffen Sie dort Platz und führen Sie den Befehl erneut aus (SQLite: %3)</translation>
    </message>
    <message>
        <source>Cannot reach the workspace state %1: %2</source>
        <translation>Der Zustand des Arbeitsbereichs %1 ist nicht erreichbar: %2</translation>
    </message>
    <message>
        <source>Setting up the connection</source>
        <translation>Einrichten der Verbindung</translation>
    </message>
</context>
<context>
    <name>astra::DatabaseLocation</name>
    <message>
        <source>--db: the database URL is empty; give a file path, sqlite:///PATH or postgresql://USER@HOST:PORT/DB</source>
        <translation>--db: Die Datenbank-URL ist leer; geben Sie einen Dateipfad, sqlite:///PATH oder postgresql://USER@HOST:PORT/DB an</translation>
    </message>
    <message>
        <source>--db %1: not a valid URL (%2); expected postgresql://USER:PASSWORD@HOST:PORT/DB</source>
        <translation>--db %1: keine gültige URL (%2); erwartet: postgresql://USER:PASSWORD@HOST:PORT/DB</translation>
    </message>
    <message>
        <source>--db %1: the URL names no database; expected postgresql://USER@HOST:PORT/DB</source>
        <translation>--db %1: Die URL nennt keine Datenbank; erwartet: postgresql://USER@HOST:PORT/DB</translation>
    </message>
    <message>
        <source>--db %1: the URL names no file; expected sqlite:///PATH/state.db</source>
        <translation>--db %1: Die URL nennt keine Datei; erwartet: sqlite:///PATH/state.db</translation>
    </message>
    <message>
        <source>--db %1: unsupported database; use a file path, sqlite:///PATH or postgresql://…</source>
        <translation>--db %1: nicht unterstützte Datenbank; verwenden Sie einen Dateipfad, sqlite:///PATH oder postgresql://…</translation>
    </message>
</context>
<context>
    <name>astra::Demo</name>
    <message>
        <source>%1 already exists and is not an empty folder; the demo workspace needs a new folder. Pass another path or remove it.</source>
        <translation>%1 existiert bereits und ist kein leerer Ordner; der Demo-Arbeitsbereich benötigt einen neuen Ordner. Geben Sie einen anderen Pfad an oder entfernen Sie den Ordner.</translation>
    </message>
    <message>
        <source>Internal error: the demo configuration does not parse: %1</source>
        <translation>Interner Fehler: Die Demo-Konfiguration lässt sich nicht einlesen: %1</translation>
    </message>
    <message>
        <source>Internal error: the demo file %1 is missing from this build.</source>
        <translation>Interner Fehler: Die Demo-Datei %1 fehlt in diesem Build.</translation>
    </message>
    <message>
        <source>The demo workspace could not be completed at &quot;%1&quot;: %2</source>
        <translation>Der Demo-Arbeitsbereich konnte bei „%1“ nicht fertiggestellt werden: %2</translation>
    </message>
    <message>
        <source>goal %1 has no modification</source>
        <translation>Ziel %1 hat keine Änderung</translation>
    </message>
    <message>
        <source>run the job %1</source>
        <translation>Job %1 ausführen</translation>
    </message>
    <message>
        <source>detect</source>
        <translation>erkennen</translation>
    </message>
    <message>
        <source>expected two accepted goals and a refusal for feasibility, got: %1</source>
        <translation>erwartet: zwei angenommene Ziele und eine Ablehnung wegen Ausführbarkeit; erhalten: %1</translation>
    </message>
    <message>
        <source>nothing</source>
        <translation>nichts</translation>
    </message>
    <message>
        <source>add goals</source>
        <translation>Ziele hinzufügen</translation>
    </message>
    <message>
        <source>approve goal %1</source>
        <translation>Ziel %1 genehmigen</translation>
    </message>
    <message>
        <source>plan goal %1</source>
        <translation>Ziel %1 planen</translation>
    </message>
    <message>
        <source>run the approved plans</source>
        <translation>die genehmigten Pläne ausführen</translation>
    </message>
    <message>
        <source>expected four modifications awaiting review, got %1: %2</source>
        <translation>erwartet: vier Änderungen, die auf Prüfung warten; erhalten: %1: %2</translation>
    </message>
    <message>
        <source>the host-name change was expected to conflict with the merged lint fixes</source>
        <translation>die Änderung mit dem Hostnamen hätte mit den zusammengeführten Lint-Korrekturen kollidieren sollen</translation>
    </message>
    <message>
        <source>review the modification of goal %1</source>
        <translation>die Änderung von Ziel %1 prüfen</translation>
    </message>
    <message>
        <source>reject goal %1</source>
        <translation>Ziel %1 ablehnen</translation>
    </message>
    <message>
        <source>The lint job did not pass: %1.</source>
        <translation>Der Lint-Job ist nicht durchgelaufen: %1.</translation>
    </message>
    <message>
        <source>Nothing was kept in %1; fix the cause and run `astra demo` again.</source>
        <translation>In %1 wurde nichts behalten; beheben Sie die Ursache und führen Sie `astra demo` erneut aus.</translation>
    </message>
    <message>
        <source>comment on the modification of goal %1</source>
        <translation>die Modifikation von Ziel %1 kommentieren</translation>
    </message>
</context>
<context>
    <name>astra::DiffFileListModel</name>
    <message>
        <source>+%1</source>
        <translation>+%1</translation>
    </message>
    <message>
        <source>−%1</source>
        <translation>−%1</translation>
    </message>
    <message>
        <source>%1/%2</source>
        <translation>%1/%2</translation>
    </message>
    <message>
        <source>File</source>
        <translation>Datei</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>Änderung</translation>
    </message>
    <message>
        <source>Added</source>
        <translation>Hinzugefügt</translation>
    </message>
    <message>
        <source>Removed</source>
        <translation>Entfernt</translation>
    </message>
    <message>
        <source>Seen</source>
        <translation>Gesehen</translation>
    </message>
    <message>
        <source>✓ viewed</source>
        <translation>✓ angesehen</translation>
    </message>
    <message>
        <source>%1 → %2</source>
        <translation>%1 → %2</translation>
    </message>
</context>
<context>
    <name>astra::DiffFilesPanel</name>
    <message>
        <source>Filter files by name</source>
        <translation>Dateien nach Namen filtern</translation>
    </message>
    <message>
        <source>Folders</source>
        <translation>Ordner</translation>
    </message>
    <message>
        <source>Show the files in their folders, or as one list</source>
        <translation>Die Dateien in ihren Ordnern zeigen oder als eine Liste</translation>
    </message>
    <message>
        <source>+%1</source>
        <translation>+%1</translation>
    </message>
    <message>
        <source>✓ viewed</source>
        <translation>✓ angesehen</translation>
    </message>
    <message>
        <source>%1/%2</source>
        <translation>%1/%2</translation>
    </message>
    <message numerus="yes">
        <source>⚠ Beyond the scope (%n)</source>
        <translation>
            <numerusform>⚠ Außerhalb des Umfangs (%n)</numerusform>
            <numerusform>⚠ Außerhalb des Umfangs (%n)</numerusform>
        </translation>
    </message>
    <message>
        <source>Files the change touched that its goal, plan, import and review comments do not name</source>
        <translation>Dateien, die die Änderung berührt hat, obwohl weder ihr Ziel noch ihr Plan, ihr Import oder Review-Kommentare sie nennen</translation>
    </message>
    <message numerus="yes">
        <source>In scope (%n)</source>
        <translation>
            <numerusform>Im Umfang (%n)</numerusform>
            <numerusform>Im Umfang (%n)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>astra::DiffModel</name>
    <message>
        <source>symbolic link</source>
        <translation>symbolischer Link</translation>
    </message>
    <message>
        <source>submodule</source>
        <translation>Submodul</translation>
    </message>
    <message>
        <source>executable file</source>
        <translation>ausführbare Datei</translation>
    </message>
    <message>
        <source>file</source>
        <translation>Datei</translation>
    </message>
    <message>
        <source>%1 → %2</source>
        <translation>%1 → %2</translation>
    </message>
    <message>
        <source>added</source>
        <translation>hinzugefügt</translation>
    </message>
    <message>
        <source>deleted</source>
        <translation>gelöscht</translation>
    </message>
    <message>
        <source>renamed from %1</source>
        <translation>umbenannt von %1</translation>
    </message>
    <message>
        <source>modified</source>
        <translation>geändert</translation>
    </message>
    <message>
        <source>+%1 −%2</source>
        <translation>+%1 −%2</translation>
    </message>
    <message>
        <source>mode %1 → %2</source>
        <translation>Modus %1 → %2</translation>
    </message>
    <message>
        <source>mode %1</source>
        <translation>Modus %1</translation>
    </message>
    <message>
        <source>no newline at end of file</source>
        <translation>kein Zeilenumbruch am Dateiende</translation>
    </message>
    <message numerus="yes">
        <source>%1 of %n hunk(s) seen</source>
        <translation>
            <numerusform>%1 von %n Abschnitt gesehen</numerusform>
            <numerusform>%1 von %n Abschnitten gesehen</numerusform>
        </translation>
    </message>
    <message>
        <source>Not shown: %1 → %2 is over the viewer&apos;s %3 limit per file. Check it out and open it in an editor to review it.</source>
        <translation>Nicht angezeigt: %1 → %2 liegt über der Grenze des Betrachters von %3 pro Datei. Checken Sie die Datei aus und prüfen Sie sie in einem Editor.</translation>
    </message>
    <message>
        <source>Binary file (%1 → %2): not shown as text.</source>
        <translation>Binärdatei (%1 → %2): nicht als Text angezeigt.</translation>
    </message>
    <message>
        <source>The type changed from %1 to %2.</source>
        <translation>Der Typ wurde von %1 zu %2 geändert.</translation>
    </message>
    <message>
        <source>Only the mode changed: %1 → %2 (%3 → %4); the content is the same.</source>
        <translation>Nur der Modus wurde geändert: %1 → %2 (%3 → %4); der Inhalt ist gleich.</translation>
    </message>
    <message>
        <source>Renamed from %1 without changes.</source>
        <translation>Ohne Änderungen von %1 umbenannt.</translation>
    </message>
    <message>
        <source>No changes to the text.</source>
        <translation>Keine Änderungen am Text.</translation>
    </message>
    <message numerus="yes">
        <source>⋯ %n unchanged line(s) (%1–%2); Enter or double-click shows them</source>
        <translation>
            <numerusform>⋯ %n unveränderte Zeile (%1–%2); Eingabe oder Doppelklick zeigt sie</numerusform>
            <numerusform>⋯ %n unveränderte Zeilen (%1–%2); Eingabe oder Doppelklick zeigt sie</numerusform>
        </translation>
    </message>
    <message>
        <source>✓ seen</source>
        <translation>✓ gesehen</translation>
    </message>
    <message>
        <source>○ not seen</source>
        <translation>○ nicht gesehen</translation>
    </message>
    <message>
        <source>binary</source>
        <translation>binär</translation>
    </message>
    <message>
        <source>over-size</source>
        <translation>zu groß</translation>
    </message>
    <message>
        <source>renamed</source>
        <translation>umbenannt</translation>
    </message>
    <message>
        <source>type changed</source>
        <translation>Typ geändert</translation>
    </message>
    <message>
        <source>mode changed</source>
        <translation>Modus geändert</translation>
    </message>
    <message>
        <source>conflict</source>
        <translation>Konflikt</translation>
    </message>
    <message>
        <source>resolved</source>
        <translation>erledigt</translation>
    </message>
    <message>
        <source>sent with revision %1</source>
        <translation>mit Revision %1 gesendet</translation>
    </message>
    <message>
        <source>✎ %1: %2%3</source>
        <translation>✎ %1: %2%3</translation>
    </message>
    <message>
        <source>%1 on revision %2:

%3</source>
        <translation>%1 zu Revision %2:

%3</translation>
    </message>
    <message>
        <source>✓ viewed</source>
        <translation>✓ angesehen</translation>
    </message>
    <message>
        <source>✔ accepted</source>
        <translation>✔ angenommen</translation>
    </message>
    <message>
        <source>✘ rejected</source>
        <translation>✘ abgelehnt</translation>
    </message>
    <message>
        <source>%1 % alike</source>
        <translation>%1 % gleich</translation>
    </message>
    <message>
        <source>Reading…</source>
        <translation>Wird gelesen…</translation>
    </message>
    <message>
        <source>No changes but in whitespace.</source>
        <translation>Keine Änderungen außer an Leerraum.</translation>
    </message>
    <message>
        <source>Lock file</source>
        <translation>Sperrdatei</translation>
    </message>
    <message>
        <source>Minified file</source>
        <translation>Minimierte Datei</translation>
    </message>
    <message>
        <source>Generated file</source>
        <translation>Erzeugte Datei</translation>
    </message>
    <message>
        <source>%1, collapsed. Enter or double-click shows it.</source>
        <translation>%1, eingeklappt. Eingabetaste oder Doppelklick zeigt sie.</translation>
    </message>
</context>
<context>
    <name>astra::DiffOverview</name>
    <message>
        <source>The file being read: removed lines red, added lines green; click to go there</source>
        <translation>Die gelesene Datei: entfernte Zeilen rot, hinzugefügte grün; ein Klick führt dorthin</translation>
    </message>
</context>
<context>
    <name>astra::DiffView</name>
    <message>
        <source>Next hunk</source>
        <translation>Nächster Abschnitt</translation>
    </message>
    <message>
        <source>Previous hunk</source>
        <translation>Voriger Abschnitt</translation>
    </message>
    <message>
        <source>Next file</source>
        <translation>Nächste Datei</translation>
    </message>
    <message>
        <source>Previous file</source>
        <translation>Vorige Datei</translation>
    </message>
    <message>
        <source>Mark hunk seen and go to the next</source>
        <translation>Abschnitt als gesehen markieren und zum nächsten gehen</translation>
    </message>
    <message>
        <source>Side by side or unified</source>
        <translation>Nebeneinander oder vereinheitlicht</translation>
    </message>
    <message>
        <source>Show all unchanged lines</source>
        <translation>Alle unveränderten Zeilen zeigen</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>Highlighting: %1</source>
        <translation>Hervorhebung: %1</translation>
    </message>
    <message>
        <source>Language highlighting is unavailable in this build.</source>
        <translation>Sprachhervorhebung ist in diesem Build nicht verfügbar.</translation>
    </message>
    <message>
        <source>Select a modification to see its changes.</source>
        <translation>Wählen Sie eine Änderung, um ihre Unterschiede zu sehen.</translation>
    </message>
    <message>
        <source>Side by side</source>
        <translation>Nebeneinander</translation>
    </message>
    <message>
        <source>Unified</source>
        <translation>Vereinheitlicht</translation>
    </message>
    <message>
        <source>Switch between side by side and unified (%1)</source>
        <translation>Zwischen nebeneinander und vereinheitlicht wechseln (%1)</translation>
    </message>
    <message numerus="yes">
        <source>%n file(s)</source>
        <translation>
            <numerusform>%n Datei</numerusform>
            <numerusform>%n Dateien</numerusform>
        </translation>
    </message>
    <message>
        <source>+%1 −%2</source>
        <translation>+%1 −%2</translation>
    </message>
    <message numerus="yes">
        <source>%1 of %n hunk(s) seen</source>
        <translation>
            <numerusform>%1 von %n Abschnitt gesehen</numerusform>
            <numerusform>%1 von %n Abschnitten gesehen</numerusform>
        </translation>
    </message>
    <message>
        <source>Which revisions to compare: the change against its base, or what changed since an earlier revision</source>
        <translation>Welche Revisionen verglichen werden: die Änderung gegen ihre Basis oder was sich seit einer früheren Revision geändert hat</translation>
    </message>
    <message>
        <source>Accept hunk</source>
        <translation>Hunk annehmen</translation>
    </message>
    <message>
        <source>Reject hunk</source>
        <translation>Hunk ablehnen</translation>
    </message>
    <message>
        <source>Accept file</source>
        <translation>Datei annehmen</translation>
    </message>
    <message>
        <source>Reject file</source>
        <translation>Datei ablehnen</translation>
    </message>
    <message>
        <source>Comment on line</source>
        <translation>Zeile kommentieren</translation>
    </message>
    <message>
        <source>Mark file viewed</source>
        <translation>Datei als angesehen markieren</translation>
    </message>
    <message>
        <source>Base → revision %1</source>
        <translation>Basis → Revision %1</translation>
    </message>
    <message>
        <source>Revision %1 → %2</source>
        <translation>Revision %1 → %2</translation>
    </message>
    <message>
        <source>Hunk ↓</source>
        <translation>Hunk ↓</translation>
    </message>
    <message>
        <source>Hunk ↑</source>
        <translation>Hunk ↑</translation>
    </message>
    <message>
        <source>File ↓</source>
        <translation>Datei ↓</translation>
    </message>
    <message>
        <source>File ↑</source>
        <translation>Datei ↑</translation>
    </message>
    <message>
        <source>Seen</source>
        <translation>Gesehen</translation>
    </message>
    <message>
        <source>Expand all</source>
        <translation>Alles zeigen</translation>
    </message>
    <message>
        <source>Accept</source>
        <translation>Annehmen</translation>
    </message>
    <message>
        <source>Reject</source>
        <translation>Ablehnen</translation>
    </message>
    <message>
        <source>Comment</source>
        <translation>Kommentieren</translation>
    </message>
    <message>
        <source>Viewed</source>
        <translation>Angesehen</translation>
    </message>
    <message>
        <source>Find in the diff</source>
        <translation>Im Diff suchen</translation>
    </message>
    <message>
        <source>Find next</source>
        <translation>Weitersuchen</translation>
    </message>
    <message>
        <source>Find previous</source>
        <translation>Rückwärts suchen</translation>
    </message>
    <message>
        <source>Larger text</source>
        <translation>Größere Schrift</translation>
    </message>
    <message>
        <source>Smaller text</source>
        <translation>Kleinere Schrift</translation>
    </message>
    <message>
        <source>Standard text size</source>
        <translation>Normale Schriftgröße</translation>
    </message>
    <message>
        <source>Ignore whitespace</source>
        <translation>Leerraum ignorieren</translation>
    </message>
    <message>
        <source>No whitespace</source>
        <translation>Ohne Leerraum</translation>
    </message>
    <message>
        <source>Wrap long lines</source>
        <translation>Lange Zeilen umbrechen</translation>
    </message>
    <message>
        <source>Wrap</source>
        <translation>Umbruch</translation>
    </message>
    <message>
        <source>Show generated and lock files</source>
        <translation>Erzeugte Dateien und Sperrdateien zeigen</translation>
    </message>
    <message>
        <source>Generated</source>
        <translation>Erzeugte</translation>
    </message>
    <message>
        <source>Find in the diff (Enter: next, Shift+Enter: previous, Esc: close)</source>
        <translation>Im Diff suchen (Eingabe: weiter, Umschalt+Eingabe: zurück, Esc: schließen)</translation>
    </message>
    <message numerus="yes">
        <source>%n row(s) match</source>
        <translation>
            <numerusform>%n Zeile passt</numerusform>
            <numerusform>%n Zeilen passen</numerusform>
        </translation>
    </message>
    <message>
        <source>(in the files read so far)</source>
        <translation>(in den bisher gelesenen Dateien)</translation>
    </message>
    <message numerus="yes">
        <source>reading: %1 of %n file(s) so far</source>
        <translation>
            <numerusform>gelesen: bisher %1 von %n Datei</numerusform>
            <numerusform>gelesen: bisher %1 von %n Dateien</numerusform>
        </translation>
    </message>
    <message>
        <source>finding renames</source>
        <translation>Umbenennungen werden gesucht</translation>
    </message>
    <message>
        <source>View</source>
        <translation>Ansicht</translation>
    </message>
    <message>
        <source>Whitespace, wrapping, generated files, find and text size</source>
        <translation>Leerraum, Umbruch, erzeugte Dateien, Suche und Schriftgröße</translation>
    </message>
</context>
<context>
    <name>astra::Evidence</name>
    <message>
        <source>Command</source>
        <translation>Befehl</translation>
    </message>
    <message>
        <source>Confidence formula</source>
        <translation>Konfidenzformel</translation>
    </message>
    <message>
        <source>Duration (ms)</source>
        <translation>Dauer (ms)</translation>
    </message>
    <message>
        <source>End column</source>
        <translation>Endspalte</translation>
    </message>
    <message>
        <source>End line</source>
        <translation>Endzeile</translation>
    </message>
    <message>
        <source>Excerpt</source>
        <translation>Auszug</translation>
    </message>
    <message>
        <source>Exit code</source>
        <translation>Exit-Code</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Fehlgeschlagen</translation>
    </message>
    <message>
        <source>Failed runs</source>
        <translation>Fehlgeschlagene Läufe</translation>
    </message>
    <message>
        <source>Failures</source>
        <translation>Fehlschläge</translation>
    </message>
    <message>
        <source>Files</source>
        <translation>Dateien</translation>
    </message>
    <message>
        <source>Findings</source>
        <translation>Befunde</translation>
    </message>
    <message>
        <source>Fix-its</source>
        <translation>Korrekturen</translation>
    </message>
    <message>
        <source>Format</source>
        <translation>Format</translation>
    </message>
    <message>
        <source>Has a fix</source>
        <translation>Hat eine Korrektur</translation>
    </message>
    <message>
        <source>Job</source>
        <translation>Job</translation>
    </message>
    <message>
        <source>Length</source>
        <translation>Länge</translation>
    </message>
    <message>
        <source>Line</source>
        <translation>Zeile</translation>
    </message>
    <message>
        <source>Locations</source>
        <translation>Stellen</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Meldung</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Offset</source>
        <translation>Versatz</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>Ergebnis</translation>
    </message>
    <message>
        <source>Passed</source>
        <translation>Bestanden</translation>
    </message>
    <message>
        <source>Path</source>
        <translation>Pfad</translation>
    </message>
    <message>
        <source>Rule</source>
        <translation>Regel</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>Lauf</translation>
    </message>
    <message>
        <source>Runs in the window</source>
        <translation>Läufe im Zeitfenster</translation>
    </message>
    <message>
        <source>Signature</source>
        <translation>Signatur</translation>
    </message>
    <message>
        <source>Start column</source>
        <translation>Startspalte</translation>
    </message>
    <message>
        <source>Start line</source>
        <translation>Startzeile</translation>
    </message>
    <message>
        <source>Started at</source>
        <translation>Gestartet um</translation>
    </message>
    <message>
        <source>Streak</source>
        <translation>Serie</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>Text</translation>
    </message>
    <message>
        <source>Threshold</source>
        <translation>Schwelle</translation>
    </message>
    <message>
        <source>Tool</source>
        <translation>Werkzeug</translation>
    </message>
    <message>
        <source>Window (s)</source>
        <translation>Zeitfenster (s)</translation>
    </message>
    <message>
        <source>Report</source>
        <translation>Bericht</translation>
    </message>
    <message>
        <source>Reports</source>
        <translation>Berichte</translation>
    </message>
    <message>
        <source>Tests</source>
        <translation>Tests</translation>
    </message>
    <message>
        <source>Test results</source>
        <translation>Testergebnisse</translation>
    </message>
</context>
<context>
    <name>astra::Executors</name>
    <message>
        <source>asking the %1 proposer</source>
        <translation>der Vorschlagsgeber %1 wird gefragt</translation>
    </message>
    <message>
        <source>Task %1 (code_modify) has no code_analyze before it in plan %2, so there is no change set to write.</source>
        <translation>Aufgabe %1 (code_modify) hat in Plan %2 kein code_analyze vor sich, es gibt also keinen Änderungssatz zu schreiben.</translation>
    </message>
    <message>
        <source>Task %1 (code_test) has no modification to test: no code_modify before it in plan %2.</source>
        <translation>Aufgabe %1 (code_test) hat keine Änderung zu testen: kein code_modify vor ihr in Plan %2.</translation>
    </message>
    <message>
        <source>testing modification %1</source>
        <translation>Änderung %1 wird getestet</translation>
    </message>
    <message>
        <source>The tests of modification %1 did not pass (it is &apos;%2&apos;); `astra mod show %1` has the results.</source>
        <translation>Die Tests von Änderung %1 waren nicht erfolgreich (Zustand &apos;%2&apos;); `astra mod show %1` zeigt die Ergebnisse.</translation>
    </message>
    <message>
        <source>Goal %1 is &apos;%2&apos;, so its review cannot be requested.</source>
        <translation>Ziel %1 ist im Zustand &apos;%2&apos;, daher kann keine Prüfung angefordert werden.</translation>
    </message>
    <message>
        <source>Task %1 (%2) needs a workspace session, and the scheduler gave it another kind of session.</source>
        <translation>Aufgabe %1 (%2) braucht eine Arbeitsbereichssitzung, der Scheduler hat ihr aber eine andere Art von Sitzung gegeben.</translation>
    </message>
    <message>
        <source>The agent of goal %1 ran without a sandbox (sandbox = &quot;none&quot; in [proposer]): it could read and change anything you can, though it worked in a private checkout.</source>
        <translation>Der Agent von Ziel %1 lief ohne Sandbox (sandbox = &quot;none&quot; in [proposer]): er konnte alles lesen und ändern, was Sie können, auch wenn er in einem privaten Checkout arbeitete.</translation>
    </message>
    <message>
        <source>task %1: its log could not be recorded: %2</source>
        <translation>Aufgabe %1: ihr Protokoll konnte nicht festgehalten werden: %2</translation>
    </message>
</context>
<context>
    <name>astra::Findings</name>
    <message>
        <source>%1 is not SARIF: %2 at offset %3.</source>
        <translation>%1 ist kein SARIF: %2 an Position %3.</translation>
    </message>
    <message>
        <source>%1 is SARIF version &apos;%2&apos;; Astra Review reads SARIF 2.1.0.</source>
        <translation>%1 ist SARIF-Version &apos;%2&apos;; Astra Review liest SARIF 2.1.0.</translation>
    </message>
    <message>
        <source>%1: a fix of %2 at %3:%4 gives its region by character offset, which Astra Review does not apply; use lines and columns or byte offsets.</source>
        <translation>%1: Eine Korrektur von %2 in %3:%4 gibt ihren Bereich als Zeichenposition an, die Astra Review nicht anwendet; verwenden Sie Zeilen und Spalten oder Byte-Positionen.</translation>
    </message>
    <message>
        <source>%1 has no Diagnostics list; is it a clang-tidy --export-fixes file?</source>
        <translation>%1 hat keine Diagnostics-Liste; ist es eine Datei von clang-tidy --export-fixes?</translation>
    </message>
    <message>
        <source>%1 is not valid YAML: %2</source>
        <translation>%1 ist kein gültiges YAML: %2</translation>
    </message>
    <message>
        <source>A fix-it for %1 points outside the file (replacement %2); the file changed since the analyzer ran. Run the analyzer again.</source>
        <translation>Eine Korrektur für %1 zeigt außerhalb der Datei (Ersetzung %2); die Datei hat sich seit dem Lauf des Analysewerkzeugs geändert. Führen Sie es erneut aus.</translation>
    </message>
    <message>
        <source>Two fix-its for %1 overlap (replacements %2 and %3, bytes %4-%5 and %6-%7); nothing was applied. Apply one of them by hand.</source>
        <translation>Zwei Korrekturen für %1 überlappen sich (Ersetzungen %2 und %3, Bytes %4-%5 und %6-%7); es wurde nichts angewendet. Wenden Sie eine davon von Hand an.</translation>
    </message>
</context>
<context>
    <name>astra::FixitsProposer</name>
    <message>
        <source>Goal %1 carries no fix-its in its evidence; the fixits proposer has nothing to apply.</source>
        <translation>Ziel %1 enthält in seinen Belegen keine Korrekturen; der Vorschlagsgeber fixits hat nichts anzuwenden.</translation>
    </message>
    <message>
        <source>A fix-it edits %1, which does not exist at %2.</source>
        <translation>Eine Korrektur ändert %1, das in %2 nicht existiert.</translation>
    </message>
    <message>
        <source>The fix-its of goal %1 change nothing at %2: they were applied already.</source>
        <translation>Die Korrekturen von Ziel %1 ändern in %2 nichts: Sie wurden bereits angewendet.</translation>
    </message>
    <message numerus="yes">
        <source>Applied %n fix-it(s) from %1 exactly as the analyzer gave them (%2).</source>
        <translation>
            <numerusform>%n Korrektur von %1 genau so angewendet, wie das Analysewerkzeug sie angegeben hat (%2).</numerusform>
            <numerusform>%n Korrekturen von %1 genau so angewendet, wie das Analysewerkzeug sie angegeben hat (%2).</numerusform>
        </translation>
    </message>
    <message>
        <source>the analyzer</source>
        <translation>dem Analysewerkzeug</translation>
    </message>
</context>
<context>
    <name>astra::GitRepository</name>
    <message>
        <source>%1 is not inside a git repository. Run the command inside one, pass --repo PATH, or create one with `git init`.</source>
        <translation>%1 liegt nicht in einem Git-Repository. Führen Sie den Befehl in einem Repository aus, geben Sie --repo PATH an oder legen Sie mit `git init` eines an.</translation>
    </message>
    <message>
        <source>Opening the git repository at %1</source>
        <translation>Öffnen des Git-Repositorys unter %1</translation>
    </message>
    <message>
        <source>Creating a git repository at %1</source>
        <translation>Anlegen eines Git-Repositorys unter %1</translation>
    </message>
    <message>
        <source>Reading %1</source>
        <translation>Lesen von %1</translation>
    </message>
    <message>
        <source>Reading the ledger checkpoint tree</source>
        <translation>Lesen des Baums des Protokoll-Prüfpunkts</translation>
    </message>
    <message>
        <source>Reading the ledger checkpoint</source>
        <translation>Lesen des Protokoll-Prüfpunkts</translation>
    </message>
    <message>
        <source>The ledger checkpoint in %1 (commit %2) is malformed: expected a seq and a sha256 hash.</source>
        <translation>Der Protokoll-Prüfpunkt in %1 (Commit %2) ist fehlerhaft: Erwartet werden ein seq und ein sha256-Hash.</translation>
    </message>
    <message>
        <source>Writing the ledger checkpoint</source>
        <translation>Schreiben des Protokoll-Prüfpunkts</translation>
    </message>
    <message>
        <source>Reading the previous ledger checkpoint</source>
        <translation>Lesen des vorherigen Protokoll-Prüfpunkts</translation>
    </message>
    <message>
        <source>Writing the ledger checkpoint commit</source>
        <translation>Schreiben des Commits des Protokoll-Prüfpunkts</translation>
    </message>
    <message>
        <source>Moving %1 (someone else may have moved it at the same time; try again)</source>
        <translation>Verschieben von %1 (möglicherweise wurde die Referenz gleichzeitig von anderer Seite verschoben; versuchen Sie es erneut)</translation>
    </message>
    <message>
        <source>Creating an index</source>
        <translation>Anlegen eines Index</translation>
    </message>
    <message>
        <source>Reading branch %1</source>
        <translation>Lesen von Branch %1</translation>
    </message>
    <message>
        <source>Removing %1</source>
        <translation>Entfernen von %1</translation>
    </message>
    <message>
        <source>Writing %1</source>
        <translation>Schreiben von %1</translation>
    </message>
    <message>
        <source>Adding %1</source>
        <translation>Hinzufügen von %1</translation>
    </message>
    <message>
        <source>Writing the tree</source>
        <translation>Schreiben des Baums</translation>
    </message>
    <message>
        <source>Creating the commit signature</source>
        <translation>Erstellen der Commit-Signatur</translation>
    </message>
    <message>
        <source>Committing on %1</source>
        <translation>Committen auf %1</translation>
    </message>
    <message>
        <source>Checking out HEAD</source>
        <translation>Auschecken von HEAD</translation>
    </message>
    <message>
        <source>Listing branches</source>
        <translation>Auflisten der Branches</translation>
    </message>
    <message>
        <source>The branch &apos;%1&apos; does not exist in %2. Check [workspace] target_branch in .astra.toml or create the branch.</source>
        <translation>Der Branch &apos;%1&apos; existiert nicht in %2. Prüfen Sie [workspace] target_branch in .astra.toml oder legen Sie den Branch an.</translation>
    </message>
    <message>
        <source>%1 does not exist at commit %2.</source>
        <translation>%1 existiert in Commit %2 nicht.</translation>
    </message>
    <message>
        <source>%1 is not a file at commit %2.</source>
        <translation>%1 ist in Commit %2 keine Datei.</translation>
    </message>
    <message>
        <source>Creating branch %1</source>
        <translation>Anlegen von Branch %1</translation>
    </message>
    <message>
        <source>The branch %1 already exists; refusing to overwrite it.</source>
        <translation>Der Branch %1 existiert bereits und wird nicht überschrieben.</translation>
    </message>
    <message>
        <source>The branch %1 was moved since Astra Review created it (now at %2); it was kept.</source>
        <translation>Der Branch %1 wurde verschoben, seit Astra Review ihn angelegt hat (jetzt bei %2); er wurde beibehalten.</translation>
    </message>
    <message>
        <source>Deleting branch %1</source>
        <translation>Löschen von Branch %1</translation>
    </message>
    <message>
        <source>Reading the ledger checkpoint commit %1</source>
        <translation>Lesen des Protokoll-Checkpoint-Commits %1</translation>
    </message>
    <message>
        <source>The ledger checkpoint commit %1 in %2 has no %3; the ref was overwritten by something else. Inspect it with `git show %1`.</source>
        <translation>Der Protokoll-Checkpoint-Commit %1 in %2 enthält kein %3; die Referenz wurde von etwas anderem überschrieben. Untersuchen Sie sie mit `git show %1`.</translation>
    </message>
    <message>
        <source>Reading the size of %1</source>
        <translation>Lesen der Größe von %1</translation>
    </message>
    <message>
        <source>%1 at commit %2 is %3 bytes, more than the %4 bytes read for it.</source>
        <translation>%1 in Commit %2 ist %3 Bytes groß, mehr als die %4 Bytes, die dafür gelesen werden.</translation>
    </message>
    <message>
        <source>No remote was named: give a configured remote, a URL or a path.</source>
        <translation>Es wurde kein Remote genannt: Geben Sie ein konfiguriertes Remote, eine URL oder einen Pfad an.</translation>
    </message>
    <message>
        <source>Opening the remote %1</source>
        <translation>Öffnen des Remotes %1</translation>
    </message>
    <message>
        <source>%1 on %2 is not an ancestor of this repository&apos;s %1: the local checkpoints were moved back or replaced since the anchor was pushed, or another clone pushes to the same anchor. Nothing was pushed; run `astra ledger verify --anchor %2` to see which.</source>
        <translation>%1 auf %2 ist kein Vorfahre von %1 dieses Repositorys: Die lokalen Checkpoints wurden seit der Übertragung des Ankers zurückgesetzt oder ersetzt, oder ein anderer Klon überträgt zum selben Anker. Es wurde nichts übertragen; `astra ledger verify --anchor %2` zeigt, was davon zutrifft.</translation>
    </message>
    <message>
        <source>Pushing %1 to %2</source>
        <translation>Übertragen von %1 nach %2</translation>
    </message>
    <message>
        <source>%1 refused the pushed checkpoint (%2); nothing there was changed.</source>
        <translation>%1 hat den übertragenen Checkpoint abgelehnt (%2); dort wurde nichts geändert.</translation>
    </message>
    <message>
        <source>Connecting to %1</source>
        <translation>Verbinden mit %1</translation>
    </message>
    <message>
        <source>Listing the refs of %1</source>
        <translation>Auflisten der Referenzen von %1</translation>
    </message>
    <message>
        <source>Writing the merged commit of %1</source>
        <translation>Den zusammengeführten Commit von %1 schreiben</translation>
    </message>
    <message>
        <source>Comparing the history of %1 and %2</source>
        <translation>Vergleich der Historie von %1 und %2</translation>
    </message>
    <message>
        <source>Fetching %1 and the modification branches from the team&apos;s repository %2</source>
        <translation>Abrufen von %1 und der Änderungszweige aus dem Repository des Teams %2</translation>
    </message>
    <message>
        <source>The team&apos;s repository %1 has no branch %2, the target of .astra.toml: check `git config astra.remote` and the remote&apos;s URL (`git remote -v`).</source>
        <translation>Das Repository des Teams %1 hat keinen Zweig %2, das Ziel aus .astra.toml: Prüfen Sie `git config astra.remote` und die URL des Remotes (`git remote -v`).</translation>
    </message>
    <message>
        <source>Pushing %1 to the team&apos;s repository %2</source>
        <translation>Übertragen von %1 in das Repository des Teams %2</translation>
    </message>
    <message>
        <source>The team&apos;s repository %1 has %2 at a commit that is not an ancestor of this clone&apos;s (not a fast-forward), and refused it.</source>
        <translation>Das Repository des Teams %1 hat %2 auf einem Commit, der kein Vorfahre des Commits dieses Klons ist (kein Vorspulen), und hat es abgelehnt.</translation>
    </message>
    <message>
        <source>The team&apos;s repository %1 refused %2.</source>
        <translation>Das Repository des Teams %1 hat %2 abgelehnt.</translation>
    </message>
</context>
<context>
    <name>astra::GoalBoard</name>
    <message>
        <source>Reading the detectors of the goals</source>
        <translation>Lesen der Detektoren der Ziele</translation>
    </message>
    <message>
        <source>Reading the plans of the goals</source>
        <translation>Lesen der Pläne der Ziele</translation>
    </message>
    <message>
        <source>Reading the modifications of the goals</source>
        <translation>Lesen der Änderungen der Ziele</translation>
    </message>
</context>
<context>
    <name>astra::GoalBoardModel</name>
    <message numerus="yes">
        <source>%n min</source>
        <translation>
            <numerusform>%n Min.</numerusform>
            <numerusform>%n Min.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n h</source>
        <translation>
            <numerusform>%n Std.</numerusform>
            <numerusform>%n Std.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n d</source>
        <translation>
            <numerusform>%n Tag</numerusform>
            <numerusform>%n Tage</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Touches the same files as open goal(s) %1.</source>
        <translation>
            <numerusform>Berührt dieselben Dateien wie das offene Ziel %1.</numerusform>
            <numerusform>Berührt dieselben Dateien wie die offenen Ziele %1.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>astra::GoalCardDelegate</name>
    <message>
        <source>plan awaits approval</source>
        <translation>Plan wartet auf Genehmigung</translation>
    </message>
    <message>
        <source>plan approved</source>
        <translation>Plan genehmigt</translation>
    </message>
    <message>
        <source>plan failed</source>
        <translation>Plan gescheitert</translation>
    </message>
    <message>
        <source>change pending</source>
        <translation>Änderung ausstehend</translation>
    </message>
    <message>
        <source>change in testing</source>
        <translation>Änderung im Test</translation>
    </message>
    <message>
        <source>change awaits approval</source>
        <translation>Änderung wartet auf Genehmigung</translation>
    </message>
    <message>
        <source>tests failed</source>
        <translation>Tests fehlgeschlagen</translation>
    </message>
    <message>
        <source>change approved</source>
        <translation>Änderung genehmigt</translation>
    </message>
    <message>
        <source>merged</source>
        <translation>zusammengeführt</translation>
    </message>
    <message>
        <source>conflicted</source>
        <translation>in Konflikt</translation>
    </message>
    <message>
        <source>change rejected</source>
        <translation>Änderung abgelehnt</translation>
    </message>
    <message>
        <source>rolled back</source>
        <translation>zurückgenommen</translation>
    </message>
    <message>
        <source>by hand</source>
        <translation>von Hand</translation>
    </message>
    <message>
        <source>confidence %1</source>
        <translation>Konfidenz %1</translation>
    </message>
    <message>
        <source>P%1</source>
        <translation>P%1</translation>
    </message>
    <message>
        <source>no plan yet</source>
        <translation>noch kein Plan</translation>
    </message>
</context>
<context>
    <name>astra::GoalColumnView</name>
    <message>
        <source>planning it (the plan view, or `astra plan`)</source>
        <translation>seine Planung (die Planansicht oder `astra plan`)</translation>
    </message>
    <message>
        <source>approving its plan; the scheduler then runs it</source>
        <translation>die Genehmigung seines Plans; der Scheduler führt ihn dann aus</translation>
    </message>
    <message>
        <source>merging its approved modification (the review panel)</source>
        <translation>das Zusammenführen seiner genehmigten Änderung (die Prüfansicht)</translation>
    </message>
    <message>
        <source>its plan failing</source>
        <translation>das Scheitern seines Plans</translation>
    </message>
    <message>
        <source>approving it while it is proposed</source>
        <translation>seine Genehmigung, solange es vorgeschlagen ist</translation>
    </message>
    <message>
        <source>rejecting it while it is proposed</source>
        <translation>seine Ablehnung, solange es vorgeschlagen ist</translation>
    </message>
    <message>
        <source>the engine</source>
        <translation>die Engine</translation>
    </message>
    <message>
        <source>Goal %1 moves from %2 to %3 by %4, not by dragging it.</source>
        <translation>Ziel %1 kommt von %2 nach %3 durch %4, nicht durch Ziehen.</translation>
    </message>
    <message>
        <source>Goal %1 is %2, which is final: it does not move any more.</source>
        <translation>Ziel %1 ist %2, ein Endzustand: Es bewegt sich nicht mehr.</translation>
    </message>
    <message>
        <source>Goal %1 cannot go from %2 to %3; from %2 it can go to %4 (%3 is reached by %5).</source>
        <translation>Ziel %1 kann nicht von %2 nach %3; von %2 kann es nach %4 (%3 erreicht es durch %5).</translation>
    </message>
    <message>
        <source>its plan&apos;s run ending with a modification, or importing a change for it</source>
        <translation>das Ende des Planlaufs mit einer Änderung oder den Import einer Änderung dafür</translation>
    </message>
    <message>
        <source>rolling back the merged modification of a completed goal</source>
        <translation>das Zurücknehmen der zusammengeführten Änderung eines abgeschlossenen Ziels</translation>
    </message>
    <message>
        <source>Goal %1 is completed, which is final; only rolling back its merged modification (the review panel) reopens it.</source>
        <translation>Ziel %1 ist abgeschlossen, das ist endgültig; nur das Zurücknehmen seiner zusammengeführten Änderung (Prüfansicht) öffnet es wieder.</translation>
    </message>
</context>
<context>
    <name>astra::GoalGenerator</name>
    <message>
        <source>Counting the goals created today</source>
        <translation>Zählen der heute angelegten Ziele</translation>
    </message>
    <message>
        <source>Recording a proposal</source>
        <translation>Verzeichnen eines Vorschlags</translation>
    </message>
    <message>
        <source>Recording a proposal returned no id</source>
        <translation>Das Verzeichnen eines Vorschlags lieferte keine ID</translation>
    </message>
    <message>
        <source>Listing the generator&apos;s decisions</source>
        <translation>Auflisten der Entscheidungen des Generators</translation>
    </message>
    <message>
        <source>Reading proposal %1</source>
        <translation>Lesen von Vorschlag %1</translation>
    </message>
    <message>
        <source>There is no proposal %1.</source>
        <translation>Es gibt keinen Vorschlag %1.</translation>
    </message>
    <message>
        <source>Reading the last proposal</source>
        <translation>Lesen des letzten Vorschlags</translation>
    </message>
</context>
<context>
    <name>astra::GoalPlanning</name>
    <message>
        <source>Internal error: the built-in domain is missing from this build</source>
        <translation>Interner Fehler: Die eingebaute Domäne fehlt in diesem Build</translation>
    </message>
    <message>
        <source>No plan for %1 (%2).</source>
        <translation>Kein Plan für %1 (%2).</translation>
    </message>
    <message numerus="yes">
        <source>The search got furthest after %n action(s), at %1: %2</source>
        <translation>
            <numerusform>Die Suche kam am weitesten nach %n Aktion, bei %1: %2</numerusform>
            <numerusform>Die Suche kam am weitesten nach %n Aktionen, bei %1: %2</numerusform>
        </translation>
    </message>
    <message>
        <source>Goal %1 is of kind &apos;%2&apos;, which is not a task of the domain %3 (its tasks: %4). Create the goal with one of those kinds.</source>
        <translation>Ziel %1 hat die Art &apos;%2&apos;, die keine Aufgabe der Domäne %3 ist (ihre Aufgaben: %4). Legen Sie das Ziel mit einer dieser Arten an.</translation>
    </message>
    <message>
        <source>Internal error: the problem made for goal %1 does not parse: %2</source>
        <translation>Interner Fehler: Das für Ziel %1 erzeugte Problem lässt sich nicht einlesen: %2</translation>
    </message>
    <message>
        <source>The path policy forbids: %1</source>
        <translation>Die Pfadrichtlinie verbietet: %1</translation>
    </message>
</context>
<context>
    <name>astra::GoalRepository</name>
    <message>
        <source>Creating a goal</source>
        <translation>Anlegen eines Ziels</translation>
    </message>
    <message>
        <source>Creating a goal returned no id in %1</source>
        <translation>Das Anlegen eines Ziels in %1 lieferte keine ID</translation>
    </message>
    <message>
        <source>Reading goal %1</source>
        <translation>Lesen von Ziel %1</translation>
    </message>
    <message>
        <source>Goal %1 does not exist; `astra goals` lists the goals of this workspace.</source>
        <translation>Ziel %1 existiert nicht; `astra goals` listet die Ziele dieses Arbeitsbereichs auf.</translation>
    </message>
    <message>
        <source>Listing goals</source>
        <translation>Auflisten der Ziele</translation>
    </message>
    <message>
        <source>Counting goals</source>
        <translation>Zählen der Ziele</translation>
    </message>
    <message>
        <source>Looking up goals by fingerprint</source>
        <translation>Suchen von Zielen anhand des Fingerabdrucks</translation>
    </message>
    <message>
        <source>Updating goal %1</source>
        <translation>Aktualisieren von Ziel %1</translation>
    </message>
    <message>
        <source>Goal %1 was changed by someone else since it was read (version %2); nothing was written. Reload it and try again.</source>
        <translation>Ziel %1 wurde seit dem Lesen von anderer Seite geändert (Version %2); es wurde nichts geschrieben. Laden Sie es neu und versuchen Sie es erneut.</translation>
    </message>
</context>
<context>
    <name>astra::GoalStateMachine</name>
    <message>
        <source>Goal %1 is &apos;%2&apos; and cannot move to &apos;%3&apos;. Legal next states from &apos;%2&apos;: %4.</source>
        <translation>Ziel %1 ist im Zustand &apos;%2&apos; und kann nicht nach &apos;%3&apos; wechseln. Zulässige Folgezustände von &apos;%2&apos;: %4.</translation>
    </message>
</context>
<context>
    <name>astra::Hddl</name>
    <message>
        <source>expected %1, found %2</source>
        <translation>erwartet: %1, gefunden: %2</translation>
    </message>
    <message>
        <source>a parenthesised list of names</source>
        <translation>eine geklammerte Liste von Namen</translation>
    </message>
    <message>
        <source>a name</source>
        <translation>ein Name</translation>
    </message>
    <message>
        <source>names before &apos;-&apos; and a type after it</source>
        <translation>Namen vor &apos;-&apos; und ein Typ danach</translation>
    </message>
    <message>
        <source>&apos;either&apos; types are not supported; declare a common super type</source>
        <translation>&apos;either&apos;-Typen werden nicht unterstützt; deklarieren Sie einen gemeinsamen Obertyp</translation>
    </message>
    <message>
        <source>a variable (?name)</source>
        <translation>eine Variable (?name)</translation>
    </message>
    <message>
        <source>a name that is not a variable</source>
        <translation>ein Name, der keine Variable ist</translation>
    </message>
    <message>
        <source>a task &apos;(name arguments…)&apos;</source>
        <translation>eine Aufgabe &apos;(name arguments…)&apos;</translation>
    </message>
    <message>
        <source>a variable or a constant</source>
        <translation>eine Variable oder eine Konstante</translation>
    </message>
    <message>
        <source>a formula in parentheses</source>
        <translation>eine Formel in Klammern</translation>
    </message>
    <message>
        <source>a connective or a predicate name</source>
        <translation>ein Junktor oder ein Prädikatname</translation>
    </message>
    <message>
        <source>&apos;(%1&apos; takes %2 formula(s), found %3</source>
        <translation>&apos;(%1&apos; erwartet %2 Formel(n), gefunden: %3</translation>
    </message>
    <message>
        <source>expected &apos;(%1 (?variables…) formula)&apos;</source>
        <translation>erwartet: &apos;(%1 (?variables…) formula)&apos;</translation>
    </message>
    <message>
        <source>&apos;(=&apos; compares exactly two terms</source>
        <translation>&apos;(=&apos; vergleicht genau zwei Terme</translation>
    </message>
    <message>
        <source>an effect in parentheses</source>
        <translation>ein Effekt in Klammern</translation>
    </message>
    <message>
        <source>&apos;and&apos;, &apos;not&apos;, &apos;when&apos;, &apos;forall&apos; or a predicate name</source>
        <translation>&apos;and&apos;, &apos;not&apos;, &apos;when&apos;, &apos;forall&apos; oder ein Prädikatname</translation>
    </message>
    <message>
        <source>expected &apos;(when condition effect)&apos;</source>
        <translation>erwartet: &apos;(when condition effect)&apos;</translation>
    </message>
    <message>
        <source>expected &apos;(forall (?variables…) effect)&apos;</source>
        <translation>erwartet: &apos;(forall (?variables…) effect)&apos;</translation>
    </message>
    <message>
        <source>expected &apos;(not (predicate arguments…))&apos;</source>
        <translation>erwartet: &apos;(not (predicate arguments…))&apos;</translation>
    </message>
    <message>
        <source>a predicate name</source>
        <translation>ein Prädikatname</translation>
    </message>
    <message>
        <source>a list of subtasks</source>
        <translation>eine Liste von Teilaufgaben</translation>
    </message>
    <message>
        <source>subtasks with an :ordering need labels, as in &apos;(t1 (task …))&apos;</source>
        <translation>Teilaufgaben mit einem :ordering benötigen Bezeichner, wie in &apos;(t1 (task …))&apos;</translation>
    </message>
    <message>
        <source>&apos;(&lt; label label)&apos; naming two subtasks</source>
        <translation>&apos;(&lt; label label)&apos; mit zwei Teilaufgaben</translation>
    </message>
    <message>
        <source>the :ordering has a cycle</source>
        <translation>das :ordering enthält einen Zyklus</translation>
    </message>
    <message>
        <source>the :ordering leaves %1 and %2 unordered: this is a partial-order task network, and only total-order HDDL is supported</source>
        <translation>das :ordering lässt %1 und %2 ungeordnet: Dies ist ein halbgeordnetes Aufgabennetz, unterstützt wird nur total geordnetes HDDL</translation>
    </message>
    <message>
        <source>one of %1</source>
        <translation>einer der Werte %1</translation>
    </message>
    <message>
        <source>%1 needs a value</source>
        <translation>%1 benötigt einen Wert</translation>
    </message>
    <message>
        <source>expected exactly one &apos;(define (%1 …) …)&apos;</source>
        <translation>erwartet: genau ein &apos;(define (%1 …) …)&apos;</translation>
    </message>
    <message>
        <source>a domain section such as &apos;(:action …)&apos;</source>
        <translation>ein Domänenabschnitt wie &apos;(:action …)&apos;</translation>
    </message>
    <message>
        <source>a predicate &apos;(name ?parameters…)&apos;</source>
        <translation>ein Prädikat &apos;(name ?parameters…)&apos;</translation>
    </message>
    <message>
        <source>&apos;(%1 NAME …)&apos;</source>
        <translation>&apos;(%1 NAME …)&apos;</translation>
    </message>
    <message>
        <source>%1 &apos;%2&apos; is defined twice</source>
        <translation>%1 &apos;%2&apos; ist doppelt definiert</translation>
    </message>
    <message>
        <source>method &apos;%1&apos; needs &apos;:task (name arguments…)&apos;</source>
        <translation>Methode &apos;%1&apos; benötigt &apos;:task (name arguments…)&apos;</translation>
    </message>
    <message>
        <source>one of :requirements, :types, :constants, :predicates, :task, :method, :action</source>
        <translation>einer der Abschnitte :requirements, :types, :constants, :predicates, :task, :method, :action</translation>
    </message>
    <message>
        <source>method &apos;%1&apos; decomposes &apos;%2&apos;, which is not a declared :task</source>
        <translation>Methode &apos;%1&apos; zerlegt &apos;%2&apos;, das keine deklarierte :task ist</translation>
    </message>
    <message>
        <source>task &apos;%1&apos; takes %2 argument(s), the method gives %3</source>
        <translation>Aufgabe &apos;%1&apos; erwartet %2 Argument(e), die Methode übergibt %3</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is neither an action nor a task of this domain</source>
        <translation>&apos;%1&apos; ist weder eine Aktion noch eine Aufgabe dieser Domäne</translation>
    </message>
    <message>
        <source>&apos;%1&apos; takes %2 argument(s), found %3</source>
        <translation>&apos;%1&apos; erwartet %2 Argument(e), gefunden: %3</translation>
    </message>
    <message>
        <source>a problem section such as &apos;(:init …)&apos;</source>
        <translation>ein Problemabschnitt wie &apos;(:init …)&apos;</translation>
    </message>
    <message>
        <source>the problem is for domain &apos;%1&apos;, but the domain file defines &apos;%2&apos;</source>
        <translation>das Problem ist für die Domäne &apos;%1&apos;, aber die Domänendatei definiert &apos;%2&apos;</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is neither an action nor a task of domain &apos;%2&apos;</source>
        <translation>&apos;%1&apos; ist weder eine Aktion noch eine Aufgabe der Domäne &apos;%2&apos;</translation>
    </message>
    <message>
        <source>a fact &apos;(predicate objects…)&apos;</source>
        <translation>ein Fakt &apos;(predicate objects…)&apos;</translation>
    </message>
    <message>
        <source>an object</source>
        <translation>ein Objekt</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a predicate of domain &apos;%2&apos;</source>
        <translation>&apos;%1&apos; ist kein Prädikat der Domäne &apos;%2&apos;</translation>
    </message>
    <message>
        <source>one of :domain, :objects, :htn, :init, :goal</source>
        <translation>einer der Abschnitte :domain, :objects, :htn, :init, :goal</translation>
    </message>
    <message>
        <source>%1:%2:%3: unexpected &apos;)&apos;: no list is open here</source>
        <translation>%1:%2:%3: unerwartete &apos;)&apos;: hier ist keine Liste geöffnet</translation>
    </message>
    <message>
        <source>%1:%2:%3: expected &apos;(&apos; to start a definition, found &apos;%4&apos;</source>
        <translation>%1:%2:%3: erwartet: &apos;(&apos; am Beginn einer Definition, gefunden: &apos;%4&apos;</translation>
    </message>
    <message>
        <source>%1:%2:%3: the list opened here is never closed; expected &apos;)&apos; before the end of the file</source>
        <translation>%1:%2:%3: die hier geöffnete Liste wird nie geschlossen; erwartet: &apos;)&apos; vor dem Dateiende</translation>
    </message>
    <message>
        <source>the @cost of action &apos;%1&apos; is &apos;%2&apos;; write a whole number, 0 or more</source>
        <translation>die @cost der Aktion &apos;%1&apos; ist &apos;%2&apos;; eine ganze Zahl ab 0 schreiben</translation>
    </message>
    <message>
        <source>method :constraints may only compare variables, as in &apos;(= ?a ?b)&apos; or &apos;(not (= ?a ?b))&apos;, joined by &apos;and&apos;; state a condition on facts in the :precondition</source>
        <translation>Die :constraints einer Methode dürfen nur Variablen vergleichen, wie &apos;(= ?a ?b)&apos; oder &apos;(not (= ?a ?b))&apos;, verbunden mit &apos;and&apos;; eine Bedingung an Fakten gehört in die :precondition</translation>
    </message>
    <message>
        <source>method &apos;%1&apos; uses %2, which is not one of its :parameters; declare it there</source>
        <translation>Methode &apos;%1&apos; verwendet %2, das keiner ihrer :parameters ist; deklarieren Sie es dort</translation>
    </message>
    <message>
        <source>constraints on the initial task network are not supported; bind its variables in the methods of a task that wraps it</source>
        <translation>Constraints im anfänglichen Aufgabennetz werden nicht unterstützt; binden Sie seine Variablen in den Methoden einer Aufgabe, die es umschließt</translation>
    </message>
    <message>
        <source>the initial task network uses %1, which is not one of its :parameters; declare it there</source>
        <translation>das anfängliche Aufgabennetz verwendet %1, das keiner seiner :parameters ist; deklarieren Sie es dort</translation>
    </message>
</context>
<context>
    <name>astra::Highlighting</name>
    <message numerus="yes">
        <source>KSyntaxHighlighting (%n syntax definitions)</source>
        <translation>
            <numerusform>KSyntaxHighlighting (%n Syntaxdefinition)</numerusform>
            <numerusform>KSyntaxHighlighting (%n Syntaxdefinitionen)</numerusform>
        </translation>
    </message>
    <message>
        <source>unavailable in this build (no KSyntaxHighlighting for this Qt version)</source>
        <translation>in diesem Build nicht verfügbar (kein KSyntaxHighlighting für diese Qt-Version)</translation>
    </message>
</context>
<context>
    <name>astra::InboxModel</name>
    <message>
        <source>tests to run</source>
        <translation>Tests auszuführen</translation>
    </message>
    <message>
        <source>approval</source>
        <translation>Freigabe</translation>
    </message>
    <message>
        <source>merge</source>
        <translation>Zusammenführen</translation>
    </message>
    <message>
        <source>tests failed</source>
        <translation>Tests fehlgeschlagen</translation>
    </message>
    <message>
        <source>conflict</source>
        <translation>Konflikt</translation>
    </message>
    <message>
        <source>just now</source>
        <translation>gerade eben</translation>
    </message>
    <message numerus="yes">
        <source>%n min</source>
        <translation>
            <numerusform>%n Min.</numerusform>
            <numerusform>%n Min.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n h</source>
        <translation>
            <numerusform>%n Std.</numerusform>
            <numerusform>%n Std.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n d</source>
        <translation>
            <numerusform>%n Tag</numerusform>
            <numerusform>%n Tage</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n reviewer flag(s): read the review&apos;s Flags section</source>
        <translation>
            <numerusform>%n Prüfhinweis: lesen Sie den Abschnitt Hinweise der Prüfung</numerusform>
            <numerusform>%n Prüfhinweise: lesen Sie den Abschnitt Hinweise der Prüfung</numerusform>
        </translation>
    </message>
    <message>
        <source>Goal %1: %2
Branch %3</source>
        <translation>Ziel %1: %2
Branch %3</translation>
    </message>
    <message>
        <source>not run</source>
        <translation>nicht gelaufen</translation>
    </message>
    <message numerus="yes">
        <source>%n passed</source>
        <translation>
            <numerusform>%n bestanden</numerusform>
            <numerusform>%n bestanden</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n failed</source>
        <translation>
            <numerusform>%n fehlgeschlagen</numerusform>
            <numerusform>%n fehlgeschlagen</numerusform>
        </translation>
    </message>
    <message>
        <source>#</source>
        <translation>#</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>Änderung</translation>
    </message>
    <message>
        <source>Waits for</source>
        <translation>Wartet auf</translation>
    </message>
    <message>
        <source>Tests</source>
        <translation>Tests</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>Wartet seit</translation>
    </message>
    <message numerus="yes">
        <source>%n file(s): %1 lines added, %2 removed</source>
        <translation>
            <numerusform>%n Datei: %1 Zeilen hinzugefügt, %2 entfernt</numerusform>
            <numerusform>%n Dateien: %1 Zeilen hinzugefügt, %2 entfernt</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) +%1 −%2</source>
        <translation>
            <numerusform>%n Datei +%1 −%2</numerusform>
            <numerusform>%n Dateien +%1 −%2</numerusform>
        </translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Umfang</translation>
    </message>
    <message>
        <source>new revision</source>
        <translation>neue Revision</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 von %2</translation>
    </message>
    <message>
        <source>Not opened in Changes yet</source>
        <translation>Noch nicht unter Änderungen geöffnet</translation>
    </message>
    <message>
        <source>Revision %1 is new since you last read it: hunks you saw before stay seen</source>
        <translation>Revision %1 ist neu, seit Sie die Änderung zuletzt gelesen haben: schon gesehene Hunks bleiben gesehen</translation>
    </message>
    <message>
        <source>Hunks marked seen in Changes</source>
        <translation>Unter Änderungen als gesehen markierte Hunks</translation>
    </message>
    <message>
        <source>Seen</source>
        <translation>Gesehen</translation>
    </message>
    <message>
        <source>Reviewers asked: %1</source>
        <translation>Um Prüfung gebeten: %1</translation>
    </message>
    <message>
        <source>Approved by %1</source>
        <translation>Freigegeben von %1</translation>
    </message>
</context>
<context>
    <name>astra::InboxView</name>
    <message>
        <source>Filter by title, goal, branch or file</source>
        <translation>Nach Titel, Ziel, Branch oder Datei filtern</translation>
    </message>
    <message>
        <source>Everything waiting</source>
        <translation>Alles Wartende</translation>
    </message>
    <message>
        <source>Waits for %1</source>
        <translation>Wartet auf %1</translation>
    </message>
    <message>
        <source>Nothing waits for a decision.</source>
        <translation>Nichts wartet auf eine Entscheidung.</translation>
    </message>
    <message numerus="yes">
        <source>%n change(s) wait for a decision.</source>
        <translation>
            <numerusform>%n Änderung wartet auf eine Entscheidung.</numerusform>
            <numerusform>%n Änderungen warten auf eine Entscheidung.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1 of %n change(s) shown.</source>
        <translation>
            <numerusform>%1 von %n Änderung gezeigt.</numerusform>
            <numerusform>%1 von %n Änderungen gezeigt.</numerusform>
        </translation>
    </message>
    <message>
        <source>Assigned to &amp;me</source>
        <translation>&amp;Mir zugewiesen</translation>
    </message>
    <message>
        <source>Only the changes someone asked you to review (astra mod assign)</source>
        <translation>Nur die Änderungen, um deren Prüfung Sie gebeten wurden (astra mod assign)</translation>
    </message>
</context>
<context>
    <name>astra::KanbanView</name>
    <message>
        <source>Filter goals by title, description, kind or file…</source>
        <translation>Ziele nach Titel, Beschreibung, Art oder Datei filtern…</translation>
    </message>
    <message>
        <source>Any source</source>
        <translation>Jede Herkunft</translation>
    </message>
    <message>
        <source>By hand</source>
        <translation>Von Hand</translation>
    </message>
    <message>
        <source>Detectors</source>
        <translation>Detektoren</translation>
    </message>
    <message>
        <source>Collaborative</source>
        <translation>Gemeinsam</translation>
    </message>
    <message>
        <source>Any detector</source>
        <translation>Jeder Detektor</translation>
    </message>
    <message>
        <source>Select a goal to see its evidence.</source>
        <translation>Wählen Sie ein Ziel, um seine Belege zu sehen.</translation>
    </message>
    <message>
        <source>Approve goal</source>
        <translation>Ziel genehmigen</translation>
    </message>
    <message>
        <source>Reject goal</source>
        <translation>Ziel ablehnen</translation>
    </message>
    <message>
        <source>Abandon goal</source>
        <translation>Ziel aufgeben</translation>
    </message>
    <message>
        <source>Filter goals</source>
        <translation>Ziele filtern</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>%1 · %2 · created by %3 · confidence %4 · priority %5</source>
        <translation>%1 · %2 · erstellt von %3 · Konfidenz %4 · Priorität %5</translation>
    </message>
    <message numerus="yes">
        <source>Open goal(s) %1 touch the same files; their changes may conflict.</source>
        <translation>
            <numerusform>Das offene Ziel %1 berührt dieselben Dateien; die Änderungen können kollidieren.</numerusform>
            <numerusform>Die offenen Ziele %1 berühren dieselben Dateien; ihre Änderungen können kollidieren.</numerusform>
        </translation>
    </message>
    <message>
        <source>Files</source>
        <translation>Dateien</translation>
    </message>
    <message>
        <source>Plan %1: %2</source>
        <translation>Plan %1: %2</translation>
    </message>
    <message>
        <source>Modification %1: %2</source>
        <translation>Änderung %1: %2</translation>
    </message>
    <message>
        <source>Evidence</source>
        <translation>Belege</translation>
    </message>
    <message>
        <source>Select a goal first.</source>
        <translation>Wählen Sie zuerst ein Ziel.</translation>
    </message>
    <message>
        <source>as text</source>
        <translation>als Text</translation>
    </message>
    <message>
        <source>as JSON</source>
        <translation>als JSON</translation>
    </message>
</context>
<context>
    <name>astra::Labels</name>
    <message>
        <source>Proposed</source>
        <translation>Vorgeschlagen</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>Aktiv</translation>
    </message>
    <message>
        <source>Planned</source>
        <translation>Geplant</translation>
    </message>
    <message>
        <source>Executing</source>
        <translation>In Ausführung</translation>
    </message>
    <message>
        <source>Awaiting review</source>
        <translation>Wartet auf Prüfung</translation>
    </message>
    <message>
        <source>Completed</source>
        <translation>Abgeschlossen</translation>
    </message>
    <message>
        <source>Rejected</source>
        <translation>Abgelehnt</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Gescheitert</translation>
    </message>
    <message>
        <source>Abandoned</source>
        <translation>Aufgegeben</translation>
    </message>
    <message>
        <source>passed</source>
        <translation>bestanden</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>fehlgeschlagen</translation>
    </message>
    <message>
        <source>timed out</source>
        <translation>Zeit überschritten</translation>
    </message>
    <message>
        <source>could not run</source>
        <translation>konnte nicht laufen</translation>
    </message>
    <message>
        <source>running</source>
        <translation>läuft</translation>
    </message>
    <message>
        <source>succeeded</source>
        <translation>erfolgreich</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>abgebrochen</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>ja</translation>
    </message>
    <message>
        <source>no</source>
        <translation>nein</translation>
    </message>
    <message>
        <source>waiting for approval</source>
        <translation>wartet auf Genehmigung</translation>
    </message>
    <message>
        <source>approved</source>
        <translation>genehmigt</translation>
    </message>
    <message>
        <source>replaced</source>
        <translation>ersetzt</translation>
    </message>
</context>
<context>
    <name>astra::Ledger</name>
    <message>
        <source>Reading the ledger head</source>
        <translation>Lesen des Protokollkopfs</translation>
    </message>
    <message>
        <source>The ledger head row is missing in %1: the ledger was tampered with. Run `astra ledger verify` and restore the database from a backup.</source>
        <translation>Die Zeile des Protokollkopfs fehlt in %1: Das Protokoll wurde manipuliert. Führen Sie `astra ledger verify` aus und stellen Sie die Datenbank aus einer Sicherung wieder her.</translation>
    </message>
    <message>
        <source>Internal error: a ledger entry (%1) must be appended inside the transaction of the change it records</source>
        <translation>Interner Fehler: Ein Protokolleintrag (%1) muss innerhalb der Transaktion der Änderung angehängt werden, die er protokolliert</translation>
    </message>
    <message>
        <source>The ledger head row is missing in %1; nothing was recorded.</source>
        <translation>Die Zeile des Protokollkopfs fehlt in %1; es wurde nichts protokolliert.</translation>
    </message>
    <message>
        <source>Appending to the ledger</source>
        <translation>Anhängen an das Protokoll</translation>
    </message>
    <message>
        <source>Moving the ledger head</source>
        <translation>Verschieben des Protokollkopfs</translation>
    </message>
    <message>
        <source>Another writer extended the ledger at the same time; nothing was recorded. Try again.</source>
        <translation>Ein anderer Schreibvorgang hat das Protokoll gleichzeitig erweitert; es wurde nichts protokolliert. Versuchen Sie es erneut.</translation>
    </message>
    <message>
        <source>Reading the ledger</source>
        <translation>Lesen des Protokolls</translation>
    </message>
    <message>
        <source>Reading the ledger segments</source>
        <translation>Lesen der Protokollsegmente</translation>
    </message>
    <message>
        <source>The ledger segment %1 (entries %2–%3) cannot be read: %4. Restore it from a backup.</source>
        <translation>Das Protokollsegment %1 (Einträge %2–%3) kann nicht gelesen werden: %4. Stellen Sie es aus einer Sicherung wieder her.</translation>
    </message>
    <message>
        <source>ledger table</source>
        <translation>Protokolltabelle</translation>
    </message>
    <message>
        <source>the archived segment %1 holding entries %2–%3 is missing or unreadable (%4)</source>
        <translation>das archivierte Segment %1 mit den Einträgen %2–%3 fehlt oder ist nicht lesbar (%4)</translation>
    </message>
    <message>
        <source>the archived segment %1 holding entries %2–%3 was modified after it was archived (its sha256 differs from the one recorded)</source>
        <translation>das archivierte Segment %1 mit den Einträgen %2–%3 wurde nach der Archivierung verändert (sein sha256 weicht vom verzeichneten Wert ab)</translation>
    </message>
    <message>
        <source>entry %1 is missing: the sequence jumps from %2 to %3 (%4); an entry was deleted</source>
        <translation>Eintrag %1 fehlt: Die Folge springt von %2 auf %3 (%4); ein Eintrag wurde gelöscht</translation>
    </message>
    <message>
        <source>entry %1 appears after entry %2 (%3); entries were inserted or reordered</source>
        <translation>Eintrag %1 steht nach Eintrag %2 (%3); Einträge wurden eingefügt oder umsortiert</translation>
    </message>
    <message>
        <source>entry %1 (%2 %3) was altered: its content or sequence number does not match its hash (it was edited, renumbered or moved; %4)</source>
        <translation>Eintrag %1 (%2 %3) wurde verändert: Sein Inhalt oder seine Folgenummer passt nicht zu seinem Hash (er wurde bearbeitet, umnummeriert oder verschoben; %4)</translation>
    </message>
    <message>
        <source>entry %1 does not follow entry %2: its prev_hash is not the hash of entry %2 (%3); an entry was edited, inserted or removed before it</source>
        <translation>Eintrag %1 folgt nicht auf Eintrag %2: Sein prev_hash ist nicht der Hash von Eintrag %2 (%3); davor wurde ein Eintrag bearbeitet, eingefügt oder entfernt</translation>
    </message>
    <message>
        <source>entries %1–%2 were deleted from the end of the ledger (the head records entry %2)</source>
        <translation>die Einträge %1–%2 wurden am Ende des Protokolls gelöscht (der Protokollkopf verzeichnet Eintrag %2)</translation>
    </message>
    <message>
        <source>entry %1 was inserted after the last recorded entry %2 (the head records entry %2)</source>
        <translation>Eintrag %1 wurde nach dem letzten verzeichneten Eintrag %2 eingefügt (der Protokollkopf verzeichnet Eintrag %2)</translation>
    </message>
    <message>
        <source>entry %1 does not match the ledger head: the end of the ledger was rewritten</source>
        <translation>Eintrag %1 passt nicht zum Protokollkopf: Das Ende des Protokolls wurde neu geschrieben</translation>
    </message>
    <message>
        <source>Cannot write the ledger export %1: %2</source>
        <translation>Der Protokollexport %1 kann nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <source>There are no ledger entries up to %1 left in the table to archive.</source>
        <translation>In der Tabelle sind keine Protokolleinträge bis %1 mehr vorhanden, die archiviert werden könnten.</translation>
    </message>
    <message>
        <source>Cannot create the ledger segment directory %1</source>
        <translation>Das Verzeichnis für Protokollsegmente %1 kann nicht angelegt werden</translation>
    </message>
    <message>
        <source>The ledger segment %1 already exists; refusing to overwrite it. Move it away if it is not listed by `astra ledger verify`.</source>
        <translation>Das Protokollsegment %1 existiert bereits und wird nicht überschrieben. Verschieben Sie es an einen anderen Ort, falls es nicht von `astra ledger verify` aufgeführt wird.</translation>
    </message>
    <message>
        <source>Cannot write the ledger segment %1: %2</source>
        <translation>Das Protokollsegment %1 kann nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <source>Recording the ledger segment</source>
        <translation>Verzeichnen des Protokollsegments</translation>
    </message>
    <message>
        <source>Removing archived ledger entries</source>
        <translation>Entfernen archivierter Protokolleinträge</translation>
    </message>
    <message>
        <source>The ledger changed while it was archived (%1 entries expected, %2 found); nothing was archived. Try again.</source>
        <translation>Das Protokoll hat sich während der Archivierung geändert (%1 Einträge erwartet, %2 gefunden); es wurde nichts archiviert. Versuchen Sie es erneut.</translation>
    </message>
    <message>
        <source>%1: not a ledger entry (JSON error: %2)</source>
        <translation>%1: kein Protokolleintrag (JSON-Fehler: %2)</translation>
    </message>
    <message>
        <source>%1: the ledger entry has no &apos;%2&apos;</source>
        <translation>%1: Der Protokolleintrag enthält kein &apos;%2&apos;</translation>
    </message>
    <message>
        <source>Locking the ledger head</source>
        <translation>Sperren des Protokollkopfs</translation>
    </message>
    <message>
        <source>The ledger head row is missing in %1.</source>
        <translation>Die Zeile des Protokollkopfs fehlt in %1.</translation>
    </message>
    <message>
        <source>the checkpoint commit %1 in %2 records entry %3 on top of a checkpoint that already records entry %4: astra never writes such a checkpoint, so the ref was extended by something else</source>
        <translation>der Checkpoint-Commit %1 in %2 verzeichnet Eintrag %3 auf einem Checkpoint, der bereits Eintrag %4 verzeichnet: Einen solchen Checkpoint schreibt astra nie, die Referenz wurde also von etwas anderem erweitert</translation>
    </message>
    <message>
        <source>the checkpoint %1 in %2</source>
        <translation>dem Checkpoint %1 in %2</translation>
    </message>
    <message>
        <source>%1 is missing, but %2 records that it held a checkpoint at entry %3 (commit %4): the ref was deleted, so the entries it anchored can no longer be checked. Restore the ref from a clone or a pushed anchor (`astra ledger anchor --push`)</source>
        <translation>%1 fehlt, aber %2 verzeichnet, dass sie einen Checkpoint bei Eintrag %3 hatte (Commit %4): Die Referenz wurde gelöscht, die von ihr verankerten Einträge lassen sich nicht mehr prüfen. Stellen Sie die Referenz aus einem Klon oder einem übertragenen Anker wieder her (`astra ledger anchor --push`)</translation>
    </message>
    <message>
        <source>%1 was moved back: it records entry %2 (commit %3), but %4 records that it held entry %5 (commit %6)</source>
        <translation>%1 wurde zurückgesetzt: Sie verzeichnet Eintrag %2 (Commit %3), aber %4 verzeichnet, dass sie Eintrag %5 hatte (Commit %6)</translation>
    </message>
    <message>
        <source>%1 (commit %2) does not descend from the checkpoint %3 that %4 records at entry %5: the ref was replaced</source>
        <translation>%1 (Commit %2) stammt nicht von dem Checkpoint %3 ab, den %4 bei Eintrag %5 verzeichnet: Die Referenz wurde ersetzt</translation>
    </message>
    <message>
        <source>the checkpoint %1 recorded in %2 does not match %3 at entry %4</source>
        <translation>der in %2 verzeichnete Checkpoint %1 stimmt bei Eintrag %4 nicht mit %3 überein</translation>
    </message>
    <message>
        <source>entry %1 differs from %2: the ledger was rewritten from this entry on</source>
        <translation>Eintrag %1 weicht von %2 ab: Das Protokoll wurde ab diesem Eintrag neu geschrieben</translation>
    </message>
    <message>
        <source>the checkpoint recorded in %1</source>
        <translation>der in %1 verzeichnete Checkpoint</translation>
    </message>
    <message>
        <source>the ledger ends at entry %1 but %2 records entry %3: entries %4–%3 were truncated</source>
        <translation>das Protokoll endet bei Eintrag %1, aber %2 verzeichnet Eintrag %3: Die Einträge %4–%3 wurden abgeschnitten</translation>
    </message>
    <message>
        <source>Reading the recorded ledger checkpoint</source>
        <translation>Lesen des verzeichneten Protokoll-Checkpoints</translation>
    </message>
    <message>
        <source>Recording the ledger checkpoint</source>
        <translation>Verzeichnen des Protokoll-Checkpoints</translation>
    </message>
    <message>
        <source>Announcing the change</source>
        <translation>Ankündigen der Änderung</translation>
    </message>
</context>
<context>
    <name>astra::LedgerModel</name>
    <message>
        <source>Seq</source>
        <translation>Nr.</translation>
    </message>
    <message>
        <source>Time (UTC)</source>
        <translation>Zeit (UTC)</translation>
    </message>
    <message>
        <source>Actor</source>
        <translation>Akteur</translation>
    </message>
    <message>
        <source>Event</source>
        <translation>Ereignis</translation>
    </message>
    <message>
        <source>Subject</source>
        <translation>Gegenstand</translation>
    </message>
    <message>
        <source>Hash</source>
        <translation>Hash</translation>
    </message>
</context>
<context>
    <name>astra::LedgerView</name>
    <message>
        <source>&amp;Verify the chain</source>
        <translation>Kette &amp;prüfen</translation>
    </message>
    <message>
        <source>Filter by event, subject or actor (Ctrl+F)</source>
        <translation>Nach Ereignis, Gegenstand oder Akteur filtern (Strg+F)</translation>
    </message>
    <message>
        <source>Verifying…</source>
        <translation>Wird geprüft …</translation>
    </message>
    <message>
        <source>Verify the ledger</source>
        <translation>Das Protokoll prüfen</translation>
    </message>
    <message>
        <source>Recompute every hash of the table, the archived segments and the git checkpoint (%1)</source>
        <translation>Jeden Hash der Tabelle, der archivierten Segmente und des Git-Prüfpunkts neu berechnen (%1)</translation>
    </message>
    <message>
        <source>Filter the ledger</source>
        <translation>Das Protokoll filtern</translation>
    </message>
    <message>
        <source>Not verified in this session: verify to recompute the chain.</source>
        <translation>In dieser Sitzung nicht geprüft: prüfen berechnet die Kette neu.</translation>
    </message>
    <message numerus="yes">
        <source>latest %1 of %n entries</source>
        <translation>
            <numerusform>die letzten %1 von %n Eintrag</numerusform>
            <numerusform>die letzten %1 von %n Einträgen</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n entries</source>
        <translation>
            <numerusform>%n Eintrag</numerusform>
            <numerusform>%n Einträge</numerusform>
        </translation>
    </message>
    <message>
        <source>Broken at entry %1: %2</source>
        <translation>Gebrochen bei Eintrag %1: %2</translation>
    </message>
    <message numerus="yes">
        <source>Intact: %n entries checked</source>
        <translation>
            <numerusform>Intakt: %n Eintrag geprüft</numerusform>
            <numerusform>Intakt: %n Einträge geprüft</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source> (%n in archived segments)</source>
        <translation>
            <numerusform> (%n in archivierten Segmenten)</numerusform>
            <numerusform> (%n in archivierten Segmenten)</numerusform>
        </translation>
    </message>
    <message>
        <source>; head %1 at %2</source>
        <translation>; Kopf %1 bei %2</translation>
    </message>
    <message>
        <source>; no git checkpoint yet</source>
        <translation>; noch kein Git-Prüfpunkt</translation>
    </message>
    <message>
        <source>Entry %1 · %2 · %3
%4 %5
previous hash %6
hash %7

%8</source>
        <translation>Eintrag %1 · %2 · %3
%4 %5
vorheriger Hash %6
Hash %7

%8</translation>
    </message>
    <message>
        <source>; all %1 git checkpoints match, the newest at entry %2</source>
        <translation>; alle %1 Git-Checkpoints stimmen überein, der neueste bei Eintrag %2</translation>
    </message>
    <message>
        <source> (the entries after it are not checkpointed yet)</source>
        <translation> (die Einträge danach sind noch ohne Checkpoint)</translation>
    </message>
</context>
<context>
    <name>astra::MainWindow</name>
    <message>
        <source>&amp;Workspace</source>
        <translation>&amp;Arbeitsbereich</translation>
    </message>
    <message>
        <source>&amp;Open…</source>
        <translation>Ö&amp;ffnen…</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>A&amp;ktualisieren</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>&amp;About Astra Review</source>
        <translation>Ü&amp;ber Astra Review</translation>
    </message>
    <message>
        <source>%1 — Astra Review</source>
        <translation>%1 — Astra Review</translation>
    </message>
    <message>
        <source>Loaded %1</source>
        <translation>%1 geladen</translation>
    </message>
    <message>
        <source>Astra Review</source>
        <translation>Astra Review</translation>
    </message>
    <message>
        <source>The workspace could not be opened</source>
        <translation>Der Arbeitsbereich konnte nicht geöffnet werden</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Wird geladen…</translation>
    </message>
    <message>
        <source>About Astra Review</source>
        <translation>Über Astra Review</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;Astra Review %1&lt;/b&gt;&lt;/p&gt;&lt;p&gt;Review, approve and merge the changes an autonomous agent proposes to your git repository.&lt;/p&gt;&lt;pre&gt;%2&lt;/pre&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;Astra Review %1&lt;/b&gt;&lt;/p&gt;&lt;p&gt;Prüfen, genehmigen und mergen Sie die Änderungen, die ein autonomer Agent für Ihr Git-Repository vorschlägt.&lt;/p&gt;&lt;pre&gt;%2&lt;/pre&gt;</translation>
    </message>
    <message numerus="yes">
        <source>Background: %n job run(s); %1 task(s) run; %2 awaiting review</source>
        <translation>
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Background work failed: %1</source>
        <translation>Die Arbeit im Hintergrund ist fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>&amp;Overview</source>
        <translation>&amp;Übersicht</translation>
    </message>
    <message>
        <source>&amp;Goals</source>
        <translation>&amp;Ziele</translation>
    </message>
    <message>
        <source>Done: %1</source>
        <translation>Erledigt: %1</translation>
    </message>
    <message>
        <source>%1 failed</source>
        <translation>%1 fehlgeschlagen</translation>
    </message>
    <message>
        <source>Approve goal %1</source>
        <translation>Ziel %1 genehmigen</translation>
    </message>
    <message>
        <source>Reject goal %1</source>
        <translation>Ziel %1 ablehnen</translation>
    </message>
    <message>
        <source>Abandon goal %1</source>
        <translation>Ziel %1 aufgeben</translation>
    </message>
    <message>
        <source>Why? The reason is kept in the goal and the audit ledger.</source>
        <translation>Warum? Der Grund wird im Ziel und im Prüfprotokoll festgehalten.</translation>
    </message>
    <message>
        <source>&amp;Plan</source>
        <translation>&amp;Plan</translation>
    </message>
    <message>
        <source>Approve the plan of goal %1</source>
        <translation>Den Plan von Ziel %1 genehmigen</translation>
    </message>
    <message>
        <source>&amp;Review</source>
        <translation>&amp;Prüfung</translation>
    </message>
    <message>
        <source>&amp;Changes</source>
        <translation>Än&amp;derungen</translation>
    </message>
    <message>
        <source>&amp;Tasks</source>
        <translation>Au&amp;fgaben</translation>
    </message>
    <message>
        <source>&amp;Ledger</source>
        <translation>Pro&amp;tokoll</translation>
    </message>
    <message>
        <source>Open &amp;recent</source>
        <translation>&amp;Zuletzt geöffnet</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Einstellungen …</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <source>&amp;Theme</source>
        <translation>&amp;Farbschema</translation>
    </message>
    <message>
        <source>&amp;System</source>
        <translation>&amp;System</translation>
    </message>
    <message>
        <source>&amp;Light</source>
        <translation>&amp;Hell</translation>
    </message>
    <message>
        <source>&amp;Dark</source>
        <translation>&amp;Dunkel</translation>
    </message>
    <message>
        <source>&amp;Keyboard shortcuts</source>
        <translation>&amp;Tastenkürzel</translation>
    </message>
    <message numerus="yes">
        <source>Scheduler %1 · %2 running · %3 queued · %n awaiting review</source>
        <translation>
            <numerusform>Planer %1 · %2 laufen · %3 in der Warteschlange · %n wartet auf Prüfung</numerusform>
            <numerusform>Planer %1 · %2 laufen · %3 in der Warteschlange · %n warten auf Prüfung</numerusform>
        </translation>
    </message>
    <message>
        <source>Approve modification %1</source>
        <translation>Änderung %1 genehmigen</translation>
    </message>
    <message>
        <source>Reject modification %1</source>
        <translation>Änderung %1 ablehnen</translation>
    </message>
    <message>
        <source>Merge modification %1</source>
        <translation>Änderung %1 zusammenführen</translation>
    </message>
    <message>
        <source>Roll back modification %1</source>
        <translation>Änderung %1 zurücknehmen</translation>
    </message>
    <message>
        <source>Cancel task %1</source>
        <translation>Aufgabe %1 abbrechen</translation>
    </message>
    <message>
        <source>Goal %1 has no modification yet: its plan writes one when it runs.</source>
        <translation>Ziel %1 hat noch keine Änderung: sein Plan schreibt eine, wenn er läuft.</translation>
    </message>
    <message>
        <source>Goal %1 has no changes to show yet.</source>
        <translation>Ziel %1 hat noch keine Änderungen zum Anzeigen.</translation>
    </message>
    <message numerus="yes">
        <source>%n modification(s) wait for your review in %1.</source>
        <translation>
            <numerusform>%n Änderung wartet in %1 auf Ihre Prüfung.</numerusform>
            <numerusform>%n Änderungen warten in %1 auf Ihre Prüfung.</numerusform>
        </translation>
    </message>
    <message>
        <source>Open a workspace first: the settings are its .astra.toml.</source>
        <translation>Öffnen Sie zuerst einen Arbeitsbereich: die Einstellungen sind seine .astra.toml.</translation>
    </message>
    <message>
        <source>Saved %1</source>
        <translation>%1 gespeichert</translation>
    </message>
    <message>
        <source>KSyntaxHighlighting %1: %2
</source>
        <translation>KSyntaxHighlighting %1: %2
</translation>
    </message>
    <message>
        <source>KSyntaxHighlighting: %1
</source>
        <translation>KSyntaxHighlighting: %1
</translation>
    </message>
    <message>
        <source>Test modification %1 again</source>
        <translation>Änderung %1 erneut testen</translation>
    </message>
    <message>
        <source>running</source>
        <translation>läuft</translation>
    </message>
    <message>
        <source>idle</source>
        <translation>untätig</translation>
    </message>
    <message>
        <source>&amp;Background work</source>
        <translation>&amp;Hintergrundarbeit</translation>
    </message>
    <message>
        <source>Runs due jobs, the detectors and approved plans on a timer; off, nothing happens until you act</source>
        <translation>Führt fällige Jobs, die Detektoren und freigegebene Pläne nach Zeitplan aus; ausgeschaltet geschieht nichts, bis Sie handeln</translation>
    </message>
    <message>
        <source>Run background work &amp;now</source>
        <translation>Hintergrundarbeit &amp;jetzt ausführen</translation>
    </message>
    <message>
        <source>Background work: running</source>
        <translation>Hintergrundarbeit: läuft</translation>
    </message>
    <message>
        <source>Background work: off</source>
        <translation>Hintergrundarbeit: aus</translation>
    </message>
    <message>
        <source>Background work: paused</source>
        <translation>Hintergrundarbeit: pausiert</translation>
    </message>
    <message numerus="yes">
        <source>Background work: every %n min</source>
        <translation>
            <numerusform>Hintergrundarbeit: jede Minute</numerusform>
            <numerusform>Hintergrundarbeit: alle %n Minuten</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Background work: every %n s</source>
        <translation>
            <numerusform>Hintergrundarbeit: jede Sekunde</numerusform>
            <numerusform>Hintergrundarbeit: alle %n Sekunden</numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;Approve change</source>
        <translation>Änderung &amp;freigeben</translation>
    </message>
    <message>
        <source>Re&amp;ject change…</source>
        <translation>Änderung a&amp;blehnen…</translation>
    </message>
    <message>
        <source>&amp;Merge change…</source>
        <translation>Änderung &amp;zusammenführen…</translation>
    </message>
    <message>
        <source>&amp;Test again</source>
        <translation>Erneut &amp;testen</translation>
    </message>
    <message>
        <source>Roll &amp;back change…</source>
        <translation>Änderung &amp;zurücknehmen…</translation>
    </message>
    <message>
        <source>&amp;Next waiting change</source>
        <translation>&amp;Nächste wartende Änderung</translation>
    </message>
    <message>
        <source>Nothing else waits for a decision.</source>
        <translation>Sonst wartet nichts auf eine Entscheidung.</translation>
    </message>
    <message>
        <source>Review &amp;inbox</source>
        <translation>&amp;Eingang der Prüfungen</translation>
    </message>
    <message numerus="yes">
        <source>%n hunk(s) of this change are not marked seen. Approve it anyway?</source>
        <translation>
            <numerusform>%n Abschnitt dieser Änderung ist nicht als gesehen markiert. Trotzdem freigeben?</numerusform>
            <numerusform>%n Abschnitte dieser Änderung sind nicht als gesehen markiert. Trotzdem freigeben?</numerusform>
        </translation>
    </message>
    <message>
        <source>Mark each hunk seen in Changes with %1 as you read it.</source>
        <translation>Markieren Sie jeden Abschnitt unter Änderungen beim Lesen mit %1 als gesehen.</translation>
    </message>
    <message>
        <source>&amp;Approve anyway</source>
        <translation>Trotzdem &amp;freigeben</translation>
    </message>
    <message>
        <source>&amp;Read the changes</source>
        <translation>Änderungen &amp;lesen</translation>
    </message>
    <message>
        <source>Changes since revision %1</source>
        <translation>Änderungen seit Revision %1</translation>
    </message>
    <message>
        <source>Clear the decision on hunk %1 of %2</source>
        <translation>Entscheidung zu Hunk %1 von %2 aufheben</translation>
    </message>
    <message>
        <source>Clear the decision on %1</source>
        <translation>Entscheidung zu %1 aufheben</translation>
    </message>
    <message>
        <source>Accept hunk %1 of %2</source>
        <translation>Hunk %1 von %2 annehmen</translation>
    </message>
    <message>
        <source>Accept %1</source>
        <translation>%1 annehmen</translation>
    </message>
    <message>
        <source>Reject hunk %1 of %2</source>
        <translation>Hunk %1 von %2 ablehnen</translation>
    </message>
    <message>
        <source>Reject %1</source>
        <translation>%1 ablehnen</translation>
    </message>
    <message>
        <source>Comment on modification %1</source>
        <translation>Modifikation %1 kommentieren</translation>
    </message>
    <message>
        <source>Comment on %1, line %2</source>
        <translation>%1, Zeile %2 kommentieren</translation>
    </message>
    <message>
        <source>Comment on %1</source>
        <translation>%1 kommentieren</translation>
    </message>
    <message>
        <source>What should change, and why? The comment is kept with the revision and goes to the agent with Request changes.</source>
        <translation>Was soll sich ändern, und warum? Der Kommentar wird mit der Revision gespeichert und geht mit „Änderungen anfordern“ an den Agenten.</translation>
    </message>
    <message>
        <source>Resolve comment %1</source>
        <translation>Kommentar %1 als erledigt markieren</translation>
    </message>
    <message>
        <source>Reopen comment %1</source>
        <translation>Kommentar %1 wieder öffnen</translation>
    </message>
    <message>
        <source>Comment %1</source>
        <translation>Kommentar %1</translation>
    </message>
    <message>
        <source>%1, revision %2%3</source>
        <translation>%1, Revision %2%3</translation>
    </message>
    <message>
        <source>; resolved by %1</source>
        <translation>; erledigt von %1</translation>
    </message>
    <message>
        <source>&amp;Reopen</source>
        <translation>&amp;Wieder öffnen</translation>
    </message>
    <message>
        <source>&amp;Resolve</source>
        <translation>&amp;Erledigt</translation>
    </message>
    <message>
        <source>Loading the changes…</source>
        <translation>Die Änderungen werden geladen …</translation>
    </message>
    <message>
        <source>Apply the decisions on modification %1</source>
        <translation>Entscheidungen zu Modifikation %1 anwenden</translation>
    </message>
    <message>
        <source>Restore the left-out hunks of modification %1</source>
        <translation>Ausgelassene Hunks von Modifikation %1 wiederherstellen</translation>
    </message>
    <message>
        <source>The agent works on the comments of modification %1…</source>
        <translation>Der Agent arbeitet an den Kommentaren zu Modifikation %1 …</translation>
    </message>
    <message>
        <source>Request changes to modification %1</source>
        <translation>Änderungen an Modifikation %1 anfordern</translation>
    </message>
    <message>
        <source>Update modification %1</source>
        <translation>Modifikation %1 aktualisieren</translation>
    </message>
    <message numerus="yes">
        <source>%1 conflicts with the change in %n file(s); nothing was changed. Both sides are in Changes; the conflicts are comments, and Request changes sends them to the agent.</source>
        <translation>
            <numerusform>%1 steht in %n Datei im Konflikt mit der Änderung; nichts wurde geändert. Beide Seiten stehen unter Änderungen; die Konflikte sind Kommentare, und „Änderungen anfordern“ sendet sie an den Agenten.</numerusform>
            <numerusform>%1 steht in %n Dateien im Konflikt mit der Änderung; nichts wurde geändert. Beide Seiten stehen unter Änderungen; die Konflikte sind Kommentare, und „Änderungen anfordern“ sendet sie an den Agenten.</numerusform>
        </translation>
    </message>
    <message>
        <source>Conflicts: %1 at %2 (left) against the change (right)</source>
        <translation>Konflikte: %1 bei %2 (links) gegen die Änderung (rechts)</translation>
    </message>
    <message>
        <source>&amp;Comment on the change…</source>
        <translation>Die Änderung &amp;kommentieren …</translation>
    </message>
    <message>
        <source>Apply &amp;decisions</source>
        <translation>&amp;Entscheidungen anwenden</translation>
    </message>
    <message>
        <source>Re&amp;quest changes</source>
        <translation>Änderungen an&amp;fordern</translation>
    </message>
    <message>
        <source>&amp;Update onto the target</source>
        <translation>Auf das Ziel &amp;aktualisieren</translation>
    </message>
    <message>
        <source>The rest of the diff could not be read: %1</source>
        <translation>Der Rest des Diffs konnte nicht gelesen werden: %1</translation>
    </message>
    <message>
        <source>No change waits for review.</source>
        <translation>Keine Änderung wartet auf Prüfung.</translation>
    </message>
    <message>
        <source>Loading modification %1…</source>
        <translation>Änderung %1 wird geladen…</translation>
    </message>
    <message>
        <source>Exported the plan to %1</source>
        <translation>Plan nach %1 exportiert</translation>
    </message>
    <message>
        <source>Could not export the plan to %1: %2. Nothing was written.</source>
        <translation>Der Plan konnte nicht nach %1 exportiert werden: %2. Es wurde nichts geschrieben.</translation>
    </message>
    <message>
        <source>⚠ Database unreachable since %1 — reconnecting…</source>
        <translation>⚠ Datenbank seit %1 nicht erreichbar — neue Verbindung wird aufgebaut…</translation>
    </message>
    <message>
        <source>Reconnected to the database; showing what changed meanwhile</source>
        <translation>Wieder mit der Datenbank verbunden; was sich inzwischen geändert hat, wird gezeigt</translation>
    </message>
</context>
<context>
    <name>astra::Merger</name>
    <message>
        <source>Comparing trees</source>
        <translation>Vergleichen von Bäumen</translation>
    </message>
    <message>
        <source>Updating the work tree</source>
        <translation>Aktualisieren des Arbeitsverzeichnisses</translation>
    </message>
    <message>
        <source>Creating the commit signature</source>
        <translation>Erstellen der Commit-Signatur</translation>
    </message>
    <message>
        <source>%1 is checked out and has local changes in files this would overwrite: %2. Commit or stash them and try again; nothing was changed.</source>
        <translation>%1 ist ausgecheckt und hat lokale Änderungen in Dateien, die dabei überschrieben würden: %2. Committen oder stashen Sie diese und versuchen Sie es erneut; es wurde nichts geändert.</translation>
    </message>
    <message>
        <source>%1 moved while it was being updated (it is no longer at %2); nothing was changed. Review the new head and try again.</source>
        <translation>%1 wurde während der Aktualisierung verschoben (steht nicht mehr bei %2); es wurde nichts geändert. Prüfen Sie den neuen Stand und versuchen Sie es erneut.</translation>
    </message>
    <message>
        <source>Moving %1</source>
        <translation>Verschieben von %1</translation>
    </message>
    <message>
        <source>%1 moved since the review (it was at %2, it is at %3); nothing was changed. Review the modification again against the new head.</source>
        <translation>%1 wurde seit der Prüfung verschoben (war bei %2, ist jetzt bei %3); es wurde nichts geändert. Prüfen Sie die Änderung erneut gegen den neuen Stand.</translation>
    </message>
    <message>
        <source>Merging</source>
        <translation>Mergen</translation>
    </message>
    <message>
        <source>Writing the merged tree</source>
        <translation>Schreiben des gemergten Baums</translation>
    </message>
    <message>
        <source>Writing the merge commit</source>
        <translation>Schreiben des Merge-Commits</translation>
    </message>
    <message>
        <source>Reverting %1</source>
        <translation>Zurücknehmen von %1</translation>
    </message>
    <message>
        <source>Writing the reverted tree</source>
        <translation>Schreiben des zurückgenommenen Baums</translation>
    </message>
    <message>
        <source>Writing the revert commit</source>
        <translation>Schreiben des Rücknahme-Commits</translation>
    </message>
    <message>
        <source>The record of the checkout of %1 could not be written (%2); nothing was changed.</source>
        <translation>Der Vermerk zum Checkout von %1 konnte nicht geschrieben werden (%2); nichts wurde geändert.</translation>
    </message>
    <message>
        <source>Listing the linked work trees</source>
        <translation>Auflisten der verknüpften Arbeitsbäume</translation>
    </message>
    <message>
        <source>%1 is checked out in the linked work tree %2, which this would leave behind (git refuses the same); nothing was changed. Check out another branch there, or merge from that work tree.</source>
        <translation>%1 ist im verknüpften Arbeitsbaum %2 ausgecheckt, den dies zurücklassen würde (git verweigert dasselbe); nichts wurde geändert. Checken Sie dort einen anderen Branch aus, oder führen Sie aus jenem Arbeitsbaum zusammen.</translation>
    </message>
    <message>
        <source>Looking for replacement refs</source>
        <translation>Suche nach Ersetzungsreferenzen</translation>
    </message>
    <message>
        <source>The repository has %1: with them git shows and checks out other content than the commits that were tested and reviewed; nothing was changed. Remove them (%2) and try again.</source>
        <translation>Das Repository hat %1: mit ihnen zeigt und checkt git anderen Inhalt aus als die getesteten und geprüften Commits; nichts wurde geändert. Entfernen Sie sie (%2) und versuchen Sie es erneut.</translation>
    </message>
    <message>
        <source>replacement refs (%1)</source>
        <translation>Ersetzungsreferenzen (%1)</translation>
    </message>
    <message>
        <source>grafts (info/grafts)</source>
        <translation>Grafts (info/grafts)</translation>
    </message>
    <message>
        <source>git replace -d each of them</source>
        <translation>git replace -d für jede</translation>
    </message>
    <message>
        <source>delete info/grafts in %1</source>
        <translation>info/grafts in %1 löschen</translation>
    </message>
    <message>
        <source>%1 is being moved by another process right now (its ref is locked); nothing was changed. Try again in a moment; if it stays locked, `astra status` names the lock file.</source>
        <translation>%1 wird gerade von einem anderen Prozess bewegt (seine Referenz ist gesperrt); nichts wurde geändert. Versuchen Sie es gleich erneut; bleibt sie gesperrt, nennt `astra status` die Sperrdatei.</translation>
    </message>
    <message>
        <source>Updating the checked-out work tree of %1 failed (%2), and moving %1 back failed too (%3). %1 points at %4 while some files are older; the next astra command finishes the update. Do not commit on %1 before that.</source>
        <translation>Das Aktualisieren des ausgecheckten Arbeitsbaums von %1 schlug fehl (%2), und das Zurücksetzen von %1 ebenfalls (%3). %1 zeigt auf %4, während einige Dateien älter sind; der nächste astra-Befehl schließt die Aktualisierung ab. Committen Sie vorher nicht auf %1.</translation>
    </message>
    <message>
        <source>Moving %1 back</source>
        <translation>Zurücksetzen von %1</translation>
    </message>
    <message>
        <source>Updating the checked-out work tree of %1 failed (%2). %1 was moved back to %3, but some files could not be restored (%4): `git status` shows them; `git checkout -- FILE` restores each.</source>
        <translation>Das Aktualisieren des ausgecheckten Arbeitsbaums von %1 schlug fehl (%2). %1 wurde auf %3 zurückgesetzt, aber einige Dateien konnten nicht wiederhergestellt werden (%4): `git status` zeigt sie; `git checkout -- DATEI` stellt jede wieder her.</translation>
    </message>
    <message>
        <source>Updating the checked-out work tree of %1 failed (%2); the branch and its files were put back where they were.</source>
        <translation>Das Aktualisieren des ausgecheckten Arbeitsbaums von %1 schlug fehl (%2); der Branch und seine Dateien wurden zurückgesetzt.</translation>
    </message>
    <message>
        <source>The record %1 of an interrupted checkout cannot be read: %2</source>
        <translation>Der Vermerk %1 eines unterbrochenen Checkouts kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <source>%1 was moved to %2 by a process that died before it updated the work tree, and these files now differ from both: %3. Compare them with %2 and commit or restore them; then remove %4.</source>
        <translation>%1 wurde von einem Prozess, der vor dem Aktualisieren des Arbeitsbaums abbrach, auf %2 bewegt, und diese Dateien weichen nun von beiden ab: %3. Vergleichen Sie sie mit %2 und committen oder restaurieren Sie sie; entfernen Sie dann %4.</translation>
    </message>
    <message>
        <source>Finishing the files an interrupted checkout left half written</source>
        <translation>Fertigstellen der Dateien, die ein unterbrochener Checkout halb geschrieben hinterließ</translation>
    </message>
</context>
<context>
    <name>astra::Migrator</name>
    <message>
        <source>Listing tables</source>
        <translation>Auflisten der Tabellen</translation>
    </message>
    <message>
        <source>Reading the applied migrations</source>
        <translation>Lesen der angewendeten Migrationen</translation>
    </message>
    <message>
        <source>The workspace state %1 has schema version %2, but this program knows versions up to %3: it was written by a newer Astra Review. Upgrade Astra Review to open it; nothing was changed.</source>
        <translation>Die Zustandsdatenbank %1 des Arbeitsbereichs hat die Schemaversion %2, dieses Programm kennt aber nur Versionen bis %3: Sie wurde von einer neueren Version von Astra Review geschrieben. Aktualisieren Sie Astra Review, um sie zu öffnen; es wurde nichts geändert.</translation>
    </message>
    <message>
        <source>The workspace state %1 records migration %2 but not migration %3 before it: the schema history is inconsistent. Restore the database from a backup; nothing was changed.</source>
        <translation>Die Zustandsdatenbank %1 des Arbeitsbereichs verzeichnet Migration %2, aber nicht die vorhergehende Migration %3: Der Schemaverlauf ist inkonsistent. Stellen Sie die Datenbank aus einer Sicherung wieder her; es wurde nichts geändert.</translation>
    </message>
    <message>
        <source>The workspace state %1 applied migration %2 with checksum %3, but this program&apos;s migration %2 has checksum %4: the schema was changed by a different build. Use the build that created it, or restore the database from a backup; nothing was changed.</source>
        <translation>In der Zustandsdatenbank %1 des Arbeitsbereichs wurde Migration %2 mit der Prüfsumme %3 angewendet, die Migration %2 dieses Programms hat aber die Prüfsumme %4: Das Schema wurde von einem anderen Build geändert. Verwenden Sie den Build, der die Datenbank angelegt hat, oder stellen Sie sie aus einer Sicherung wieder her; es wurde nichts geändert.</translation>
    </message>
    <message>
        <source>Creating the migration table</source>
        <translation>Anlegen der Migrationstabelle</translation>
    </message>
    <message>
        <source>Migration %1 failed: %2</source>
        <translation>Migration %1 ist fehlgeschlagen: %2</translation>
    </message>
    <message>
        <source>Migration %1 failed at statement %2 (%3): %4. It was rolled back; the database %5 is unchanged at version %6. Report this with the SQL error.</source>
        <translation>Migration %1 ist bei Anweisung %2 (%3) fehlgeschlagen: %4. Sie wurde zurückgerollt; die Datenbank %5 ist unverändert auf Version %6. Melden Sie diesen Fehler zusammen mit der SQL-Fehlermeldung.</translation>
    </message>
    <message>
        <source>Recording migration %1</source>
        <translation>Verzeichnen von Migration %1</translation>
    </message>
    <message>
        <source>Internal error: migration %1 is out of order</source>
        <translation>Interner Fehler: Migration %1 steht nicht in der richtigen Reihenfolge</translation>
    </message>
</context>
<context>
    <name>astra::ModificationRepository</name>
    <message>
        <source>Creating a modification</source>
        <translation>Anlegen einer Änderung</translation>
    </message>
    <message>
        <source>Creating a modification returned no id</source>
        <translation>Das Anlegen einer Änderung lieferte keine ID</translation>
    </message>
    <message>
        <source>Recording the commit of modification %1</source>
        <translation>Verzeichnen des Commits von Änderung %1</translation>
    </message>
    <message>
        <source>Recording the files of modification %1</source>
        <translation>Verzeichnen der Dateien von Änderung %1</translation>
    </message>
    <message>
        <source>Reading modification %1</source>
        <translation>Lesen von Änderung %1</translation>
    </message>
    <message>
        <source>Modification %1 does not exist; `astra mods` lists them.</source>
        <translation>Änderung %1 existiert nicht; `astra mods` listet die Änderungen auf.</translation>
    </message>
    <message>
        <source>Listing modifications</source>
        <translation>Auflisten der Änderungen</translation>
    </message>
    <message>
        <source>Updating modification %1</source>
        <translation>Aktualisieren von Änderung %1</translation>
    </message>
    <message>
        <source>Modification %1 was changed by someone else since it was read (version %2); nothing was written. Reload it and try again.</source>
        <translation>Änderung %1 wurde seit dem Lesen von anderer Seite geändert (Version %2); es wurde nichts geschrieben. Laden Sie sie neu und versuchen Sie es erneut.</translation>
    </message>
    <message>
        <source>Recording a test run</source>
        <translation>Verzeichnen eines Testlaufs</translation>
    </message>
    <message>
        <source>Recording a test run returned no id</source>
        <translation>Das Verzeichnen eines Testlaufs lieferte keine ID</translation>
    </message>
    <message>
        <source>Recording a test result</source>
        <translation>Verzeichnen eines Testergebnisses</translation>
    </message>
    <message>
        <source>Reading test results</source>
        <translation>Lesen der Testergebnisse</translation>
    </message>
    <message>
        <source>Reading test runs</source>
        <translation>Lesen der Testläufe</translation>
    </message>
    <message>
        <source>Recording a review</source>
        <translation>Verzeichnen einer Prüfung</translation>
    </message>
    <message>
        <source>Reading reviews</source>
        <translation>Lesen der Prüfungen</translation>
    </message>
    <message>
        <source>Modification %1 has no approving review.</source>
        <translation>Änderung %1 hat keine genehmigende Prüfung.</translation>
    </message>
    <message>
        <source>Recording revision %1 of modification %2</source>
        <translation>Revision %1 der Modifikation %2 festhalten</translation>
    </message>
    <message>
        <source>Recording revision %1 of modification %2 returned no id</source>
        <translation>Das Festhalten der Revision %1 der Modifikation %2 lieferte keine ID</translation>
    </message>
    <message>
        <source>Recording the new revision of modification %1</source>
        <translation>Die neue Revision von Modifikation %1 wird gespeichert</translation>
    </message>
    <message>
        <source>Replacing the files of modification %1</source>
        <translation>Die Dateien von Modifikation %1 werden ersetzt</translation>
    </message>
    <message>
        <source>Recording a decision on modification %1</source>
        <translation>Eine Entscheidung zu Modifikation %1 wird gespeichert</translation>
    </message>
    <message>
        <source>Clearing a decision on modification %1</source>
        <translation>Eine Entscheidung zu Modifikation %1 wird aufgehoben</translation>
    </message>
    <message>
        <source>Reading the decisions on modification %1</source>
        <translation>Die Entscheidungen zu Modifikation %1 werden gelesen</translation>
    </message>
    <message>
        <source>Recording a comment on modification %1</source>
        <translation>Ein Kommentar zu Modifikation %1 wird gespeichert</translation>
    </message>
    <message>
        <source>Recording a comment returned no id</source>
        <translation>Das Speichern eines Kommentars lieferte keine ID</translation>
    </message>
    <message>
        <source>Reading the comments on modification %1</source>
        <translation>Die Kommentare zu Modifikation %1 werden gelesen</translation>
    </message>
    <message>
        <source>Reading comment %1</source>
        <translation>Kommentar %1 wird gelesen</translation>
    </message>
    <message>
        <source>Comment %1 does not exist; `astra mod comments N` lists a modification&apos;s comments.</source>
        <translation>Kommentar %1 gibt es nicht; `astra mod comments N` listet die Kommentare einer Modifikation.</translation>
    </message>
    <message>
        <source>Updating comment %1</source>
        <translation>Kommentar %1 wird aktualisiert</translation>
    </message>
    <message>
        <source>Reading the reviews of modification %1</source>
        <translation>Die Reviews von Modifikation %1 werden gelesen</translation>
    </message>
    <message>
        <source>Reading the files of modifications</source>
        <translation>Die Dateien der Modifikationen werden gelesen</translation>
    </message>
    <message>
        <source>Reading the revisions of modifications</source>
        <translation>Die Revisionen der Modifikationen werden gelesen</translation>
    </message>
    <message>
        <source>Reading the approvals of modification %1</source>
        <translation>Lesen der Freigaben von Änderung %1</translation>
    </message>
    <message>
        <source>Reading the approvals of modifications</source>
        <translation>Lesen der Freigaben von Änderungen</translation>
    </message>
    <message>
        <source>Withdrawing the approvals of modification %1</source>
        <translation>Zurückziehen der Freigaben von Änderung %1</translation>
    </message>
    <message>
        <source>Reading who is asked to review</source>
        <translation>Lesen, wer um Prüfung gebeten ist</translation>
    </message>
    <message>
        <source>Asking %1 to review modification %2</source>
        <translation>%1 um Prüfung von Änderung %2 bitten</translation>
    </message>
    <message>
        <source>%1 is already asked to review modification %2; nothing was changed.</source>
        <translation>%1 ist bereits um Prüfung von Änderung %2 gebeten; es wurde nichts geändert.</translation>
    </message>
    <message>
        <source>Withdrawing the request to %1 to review modification %2</source>
        <translation>Die Bitte an %1 um Prüfung von Änderung %2 zurückziehen</translation>
    </message>
    <message>
        <source>%1 is not asked to review modification %2; nothing was changed.</source>
        <translation>%1 ist nicht um Prüfung von Änderung %2 gebeten; es wurde nichts geändert.</translation>
    </message>
</context>
<context>
    <name>astra::ModificationWriter</name>
    <message>
        <source>The path policy refused the change; nothing was written:
%1</source>
        <translation>Die Pfadrichtlinie hat die Änderung abgelehnt; es wurde nichts geschrieben:
%1</translation>
    </message>
    <message>
        <source>The change set has no files; there is nothing to write.</source>
        <translation>Der Änderungssatz enthält keine Dateien; es gibt nichts zu schreiben.</translation>
    </message>
    <message>
        <source>Reading the base tree</source>
        <translation>Lesen des Basisbaums</translation>
    </message>
    <message>
        <source>%1 cannot be deleted: it does not exist at the base commit %2.</source>
        <translation>%1 kann nicht gelöscht werden: Die Datei existiert im Basis-Commit %2 nicht.</translation>
    </message>
    <message>
        <source>%1 cannot be renamed: it does not exist at the base commit %2.</source>
        <translation>%1 kann nicht umbenannt werden: Die Datei existiert im Basis-Commit %2 nicht.</translation>
    </message>
    <message>
        <source>Creating an index</source>
        <translation>Anlegen eines Index</translation>
    </message>
    <message>
        <source>Removing %1</source>
        <translation>Entfernen von %1</translation>
    </message>
    <message>
        <source>Adding %1</source>
        <translation>Hinzufügen von %1</translation>
    </message>
    <message>
        <source>Writing %1</source>
        <translation>Schreiben von %1</translation>
    </message>
    <message>
        <source>Writing the tree</source>
        <translation>Schreiben des Baums</translation>
    </message>
    <message>
        <source>The change set leaves every file as it is at %1; there is nothing to review.</source>
        <translation>Der Änderungssatz lässt jede Datei so, wie sie in %1 ist; es gibt nichts zu prüfen.</translation>
    </message>
    <message>
        <source>Comparing the trees</source>
        <translation>Vergleichen der Bäume</translation>
    </message>
    <message>
        <source>Writing the commit</source>
        <translation>Schreiben des Commits</translation>
    </message>
    <message>
        <source>Writing the commit of %1 &lt;%2&gt;</source>
        <translation>Den Commit von %1 &lt;%2&gt; schreiben</translation>
    </message>
    <message>
        <source>The tree %1 is not in the repository.</source>
        <translation>Der Baum %1 ist nicht im Repository.</translation>
    </message>
</context>
<context>
    <name>astra::OpenAiProposer</name>
    <message>
        <source>[proposer] base_url &apos;%1&apos; is not an http(s) URL.</source>
        <translation>[proposer] base_url &apos;%1&apos; ist keine http(s)-URL.</translation>
    </message>
    <message>
        <source>The request to %1 was cancelled.</source>
        <translation>Die Anfrage an %1 wurde abgebrochen.</translation>
    </message>
    <message>
        <source>HTTP %1 from %2: %3</source>
        <translation>HTTP %1 von %2: %3</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message numerus="yes">
        <source>The openai proposer failed after %n attempt(s): %1</source>
        <translation>
            <numerusform>Der Vorschlagsgeber openai ist nach %n Versuch fehlgeschlagen: %1</numerusform>
            <numerusform>Der Vorschlagsgeber openai ist nach %n Versuchen fehlgeschlagen: %1</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 answered with something that is not a chat completion (no choices[0].message): %2</source>
        <translation>%1 hat etwas geantwortet, das keine Chat-Completion ist (kein choices[0].message): %2</translation>
    </message>
    <message>
        <source>The model refused (finish_reason content_filter).</source>
        <translation>Das Modell hat abgelehnt (finish_reason content_filter).</translation>
    </message>
    <message>
        <source>The model answered without a diff or change set, so nothing was written: &quot;%1&quot;</source>
        <translation>Das Modell hat ohne Diff oder Änderungssatz geantwortet, daher wurde nichts geschrieben: &quot;%1&quot;</translation>
    </message>
    <message>
        <source>Proposed by %1 at %2.</source>
        <translation>Vorgeschlagen von %1 unter %2.</translation>
    </message>
    <message>
        <source>%1 answered with more than %2 MiB; the answer was cut off there and refused.</source>
        <translation>%1 antwortete mit mehr als %2 MiB; die Antwort wurde dort abgeschnitten und abgelehnt.</translation>
    </message>
    <message>
        <source>%1 did not answer completely within %2 s ([proposer] timeout_s)</source>
        <translation>%1 hat nicht innerhalb von %2 s vollständig geantwortet ([proposer] timeout_s)</translation>
    </message>
</context>
<context>
    <name>astra::PatchImport</name>
    <message>
        <source>%1 does not apply cleanly to the base commit; nothing was written. %2</source>
        <translation>%1 lässt sich nicht sauber auf den Basis-Commit anwenden; es wurde nichts geschrieben. %2</translation>
    </message>
    <message>
        <source>%1: the content of %2 is missing from the object database.</source>
        <translation>%1: Der Inhalt von %2 fehlt in der Objektdatenbank.</translation>
    </message>
    <message>
        <source>%1 changes nothing.</source>
        <translation>%1 ändert nichts.</translation>
    </message>
    <message>
        <source>Reading the patch</source>
        <translation>Lesen des Patches</translation>
    </message>
    <message>
        <source>The patch is not a unified diff libgit2 can read: %1</source>
        <translation>Der Patch ist kein Unified Diff, den libgit2 lesen kann: %1</translation>
    </message>
    <message>
        <source>The patch holds no file changes.</source>
        <translation>Der Patch enthält keine Dateiänderungen.</translation>
    </message>
    <message>
        <source>The patch</source>
        <translation>Der Patch</translation>
    </message>
    <message>
        <source>The branch %1 shares no history with the target; it cannot be imported.</source>
        <translation>Der Branch %1 hat keinen gemeinsamen Verlauf mit dem Ziel-Branch; er kann nicht importiert werden.</translation>
    </message>
    <message>
        <source>Finding the merge base of %1</source>
        <translation>Ermitteln der Merge-Basis von %1</translation>
    </message>
    <message>
        <source>Comparing %1 with its merge base</source>
        <translation>Vergleichen von %1 mit seiner Merge-Basis</translation>
    </message>
    <message>
        <source>The branch %1</source>
        <translation>Der Branch %1</translation>
    </message>
    <message>
        <source>The patch names a path that is not in canonical form; it was read as %1. Write repository-relative paths (a/src/x.cpp, b/src/x.cpp); nothing was written.</source>
        <translation>Der Patch nennt einen Pfad, der nicht in kanonischer Form ist; er wurde als %1 gelesen. Schreiben Sie repository-relative Pfade (a/src/x.cpp, b/src/x.cpp); nichts wurde geschrieben.</translation>
    </message>
    <message>
        <source>Opening the object database</source>
        <translation>Öffnen der Objektdatenbank</translation>
    </message>
    <message>
        <source>Reading the size of %1</source>
        <translation>Lesen der Größe von %1</translation>
    </message>
    <message>
        <source>The path policy refused the branch %1; nothing was written:
%2</source>
        <translation>Die Pfadrichtlinie hat den Branch %1 abgelehnt; nichts wurde geschrieben:
%2</translation>
    </message>
</context>
<context>
    <name>astra::PathGlobList</name>
    <message>
        <source>it ends with a lone \ (write \\ for a backslash)</source>
        <translation>es endet mit einem einzelnen \ (schreiben Sie \\ für einen Backslash)</translation>
    </message>
    <message>
        <source>the [ has no closing ] (write \[ for a literal bracket)</source>
        <translation>die [ hat keine schließende ] (schreiben Sie \[ für eine wörtliche Klammer)</translation>
    </message>
    <message>
        <source>[:%1:] is not a character class (alnum, alpha, blank, cntrl, digit, graph, lower, print, punct, space, upper, xdigit)</source>
        <translation>[:%1:] ist keine Zeichenklasse (alnum, alpha, blank, cntrl, digit, graph, lower, print, punct, space, upper, xdigit)</translation>
    </message>
    <message>
        <source>The pattern &quot;%1&quot; is not a valid gitignore-style glob: %2.</source>
        <translation>Das Muster &quot;%1&quot; ist kein gültiger Glob im gitignore-Stil: %2.</translation>
    </message>
    <message>
        <source>it contains a NUL character</source>
        <translation>es enthält ein NUL-Zeichen</translation>
    </message>
    <message>
        <source>it is empty and would match nothing; remove it</source>
        <translation>es ist leer und würde auf nichts passen; entfernen Sie es</translation>
    </message>
    <message>
        <source>a gitignore file reads it as a comment; write \# to match a leading #</source>
        <translation>eine gitignore-Datei liest es als Kommentar; schreiben Sie \#, um ein führendes # abzugleichen</translation>
    </message>
    <message>
        <source>it names no file or folder</source>
        <translation>es bezeichnet weder eine Datei noch einen Ordner</translation>
    </message>
</context>
<context>
    <name>astra::PathPolicy</name>
    <message>
        <source>The path policy refuses %1 (%2): %3</source>
        <translation>Die Pfadrichtlinie lehnt %1 ab (%2): %3</translation>
    </message>
    <message>
        <source>an empty path names no file. Give the file&apos;s path relative to the repository root, such as src/main.cpp.</source>
        <translation>ein leerer Pfad bezeichnet keine Datei. Geben Sie den Pfad der Datei relativ zum Wurzelverzeichnis des Repositorys an, etwa src/main.cpp.</translation>
    </message>
    <message>
        <source>it is %1 bytes long; paths longer than %2 bytes do not fit common file systems. Choose a shorter path.</source>
        <translation>er ist %1 Byte lang; Pfade mit mehr als %2 Byte passen nicht in gängige Dateisysteme. Wählen Sie einen kürzeren Pfad.</translation>
    </message>
    <message>
        <source>it is not valid UTF-8 (a stray, truncated, overlong or surrogate byte sequence). Write the path in UTF-8, in Unicode NFC form.</source>
        <translation>er ist kein gültiges UTF-8 (eine verirrte, abgeschnittene, überlange oder Surrogat-Bytefolge). Schreiben Sie den Pfad in UTF-8, in der Unicode-Form NFC.</translation>
    </message>
    <message>
        <source>the component %1 is .git, or a name a file system may take for it (other case, 8.3 short name, trailing dots or spaces, ignorable characters, an NTFS stream). No change may write a git directory; choose another path.</source>
        <translation>die Komponente %1 ist .git oder ein Name, den ein Dateisystem dafür halten kann (andere Groß-/Kleinschreibung, 8.3-Kurzname, nachgestellte Punkte oder Leerzeichen, ignorierbare Zeichen, ein NTFS-Stream). Keine Änderung darf ein Git-Verzeichnis schreiben; wählen Sie einen anderen Pfad.</translation>
    </message>
    <message>
        <source>the component %1 is %2, or a name a file system may take for it. %2 is always forbidden to the agent, at any depth; a person must make this change.</source>
        <translation>die Komponente %1 ist %2 oder ein Name, den ein Dateisystem dafür halten kann. %2 ist dem Agenten in jeder Tiefe immer verboten; diese Änderung muss ein Mensch vornehmen.</translation>
    </message>
    <message>
        <source>it is absolute. Give the path relative to the repository root, without the leading /.</source>
        <translation>er ist absolut. Geben Sie den Pfad relativ zum Wurzelverzeichnis des Repositorys an, ohne den führenden /.</translation>
    </message>
    <message>
        <source>it ends with /. Name the file, without a trailing /.</source>
        <translation>er endet mit /. Geben Sie die Datei ohne nachgestellten / an.</translation>
    </message>
    <message>
        <source>a component is %1 bytes long; names longer than %2 bytes do not fit common file systems. Choose a shorter name.</source>
        <translation>eine Komponente ist %1 Byte lang; Namen mit mehr als %2 Byte passen nicht in gängige Dateisysteme. Wählen Sie einen kürzeren Namen.</translation>
    </message>
    <message>
        <source>it has an empty component (//). Write each folder once, separated by a single /.</source>
        <translation>er hat eine leere Komponente (//). Schreiben Sie jeden Ordner einmal, getrennt durch einen einzelnen /.</translation>
    </message>
    <message>
        <source>it has a &quot;%1&quot; component. Give the path without . and .. components, as the repository root sees it.</source>
        <translation>er hat eine Komponente &quot;%1&quot;. Geben Sie den Pfad ohne die Komponenten . und .. an, wie ihn das Wurzelverzeichnis des Repositorys sieht.</translation>
    </message>
    <message>
        <source>a backslash, which Windows reads as a folder separator. Use / between folders and no backslash in names.</source>
        <translation>einen Backslash, den Windows als Ordnertrenner liest. Verwenden Sie / zwischen Ordnern und keinen Backslash in Namen.</translation>
    </message>
    <message>
        <source>a colon, which names an alternate data stream on NTFS. Choose a name without :.</source>
        <translation>einen Doppelpunkt, der unter NTFS einen alternativen Datenstrom bezeichnet. Wählen Sie einen Namen ohne :.</translation>
    </message>
    <message>
        <source>the control character %1. Choose a name of printable characters.</source>
        <translation>das Steuerzeichen %1. Wählen Sie einen Namen aus druckbaren Zeichen.</translation>
    </message>
    <message>
        <source>the character %1, which is invisible, changes the text direction, is for private use or is not assigned in Unicode. Choose a name of visible characters.</source>
        <translation>das Zeichen %1, das unsichtbar ist, die Textrichtung ändert, für die private Nutzung bestimmt ist oder in Unicode nicht zugewiesen ist. Wählen Sie einen Namen aus sichtbaren Zeichen.</translation>
    </message>
    <message>
        <source>it contains %1</source>
        <translation>er enthält %1</translation>
    </message>
    <message>
        <source>the component %1 ends with a dot or a space, which Windows drops, so it names another file there. Choose a name that ends otherwise.</source>
        <translation>die Komponente %1 endet mit einem Punkt oder Leerzeichen, das Windows entfernt, sodass sie dort eine andere Datei bezeichnet. Wählen Sie einen Namen mit einem anderen Ende.</translation>
    </message>
    <message>
        <source>it is not in Unicode NFC form: %1 has decomposed or reordered characters. Write it in NFC, as %2.</source>
        <translation>er liegt nicht in der Unicode-Form NFC vor: %1 enthält zerlegte oder umgeordnete Zeichen. Schreiben Sie ihn in NFC, als %2.</translation>
    </message>
    <message>
        <source>it is %1, a symbolic link in the base tree (compared as a case-insensitive file system would). The agent may not change, delete or rename symbolic links.</source>
        <translation>er ist %1, ein symbolischer Link im Basisbaum (verglichen wie in einem Dateisystem ohne Unterscheidung von Groß- und Kleinschreibung). Der Agent darf symbolische Links weder ändern noch löschen oder umbenennen.</translation>
    </message>
    <message>
        <source>it is %1, a submodule in the base tree (compared as a case-insensitive file system would). The agent may not change, delete or rename submodules.</source>
        <translation>er ist %1, ein Submodul im Basisbaum (verglichen wie in einem Dateisystem ohne Unterscheidung von Groß- und Kleinschreibung). Der Agent darf Submodule weder ändern noch löschen oder umbenennen.</translation>
    </message>
    <message>
        <source>it goes through %1, a symbolic link in the base tree (compared as a case-insensitive file system would). Write to the file the link points at, by its own path.</source>
        <translation>er führt durch %1, einen symbolischen Link im Basisbaum (verglichen wie in einem Dateisystem ohne Unterscheidung von Groß- und Kleinschreibung). Schreiben Sie in die Datei, auf die der Link zeigt, unter ihrem eigenen Pfad.</translation>
    </message>
    <message>
        <source>it goes into %1, a submodule in the base tree (compared as a case-insensitive file system would). Change the submodule in its own repository.</source>
        <translation>er führt in %1, ein Submodul im Basisbaum (verglichen wie in einem Dateisystem ohne Unterscheidung von Groß- und Kleinschreibung). Ändern Sie das Submodul in seinem eigenen Repository.</translation>
    </message>
    <message>
        <source>it goes through or onto a symbolic link that this change set creates, as a case-insensitive file system would resolve it. Remove the link from the change set.</source>
        <translation>er führt durch oder auf einen symbolischen Link, den dieser Änderungssatz anlegt, so wie ein Dateisystem ohne Unterscheidung von Groß- und Kleinschreibung ihn auflösen würde. Entfernen Sie den Link aus dem Änderungssatz.</translation>
    </message>
    <message>
        <source>it goes into or onto a submodule that this change set creates, as a case-insensitive file system would resolve it. Remove the submodule from the change set.</source>
        <translation>er führt in oder auf ein Submodul, das dieser Änderungssatz anlegt, so wie ein Dateisystem ohne Unterscheidung von Groß- und Kleinschreibung ihn auflösen würde. Entfernen Sie das Submodul aus dem Änderungssatz.</translation>
    </message>
    <message>
        <source>The path policy limits must not be negative (file size %1, files %2, total %3).</source>
        <translation>Die Grenzwerte der Pfadrichtlinie dürfen nicht negativ sein (Dateigröße %1, Dateien %2, gesamt %3).</translation>
    </message>
    <message>
        <source>policy.allowed in .astra.toml: %1</source>
        <translation>policy.allowed in .astra.toml: %1</translation>
    </message>
    <message>
        <source>policy.forbidden in .astra.toml: %1</source>
        <translation>policy.forbidden in .astra.toml: %1</translation>
    </message>
    <message>
        <source>the pattern &quot;%1&quot; of policy.forbidden in .astra.toml matches it (ignoring case). Leave the file alone, or ask a person to change the policy.</source>
        <translation>das Muster &quot;%1&quot; von policy.forbidden in .astra.toml passt auf ihn (ohne Beachtung der Groß-/Kleinschreibung). Lassen Sie die Datei unverändert oder bitten Sie einen Menschen, die Richtlinie zu ändern.</translation>
    </message>
    <message>
        <source>no pattern of policy.allowed in .astra.toml (%1) matches it. Change only files the policy allows, or ask a person to allow this one.</source>
        <translation>kein Muster von policy.allowed in .astra.toml (%1) passt auf ihn. Ändern Sie nur Dateien, die die Richtlinie erlaubt, oder bitten Sie einen Menschen, diese Datei zu erlauben.</translation>
    </message>
    <message>
        <source>the pattern &quot;%1&quot; of policy.allowed in .astra.toml excludes it. Change only files the policy allows, or ask a person to allow this one.</source>
        <translation>das Muster &quot;%1&quot; von policy.allowed in .astra.toml schließt ihn aus. Ändern Sie nur Dateien, die die Richtlinie erlaubt, oder bitten Sie einen Menschen, diese Datei zu erlauben.</translation>
    </message>
    <message>
        <source>it is a symbolic link (mode 120000) before the change. The agent may not change, delete or rename symbolic links.</source>
        <translation>er ist vor der Änderung ein symbolischer Link (Modus 120000). Der Agent darf symbolische Links weder ändern noch löschen oder umbenennen.</translation>
    </message>
    <message>
        <source>it is a submodule (mode 160000) before the change. The agent may not change, delete or rename submodules.</source>
        <translation>er ist vor der Änderung ein Submodul (Modus 160000). Der Agent darf Submodule weder ändern noch löschen oder umbenennen.</translation>
    </message>
    <message>
        <source>the change makes it a symbolic link (mode 120000). The agent may not create symbolic links; write a regular file.</source>
        <translation>die Änderung macht ihn zu einem symbolischen Link (Modus 120000). Der Agent darf keine symbolischen Links anlegen; schreiben Sie eine reguläre Datei.</translation>
    </message>
    <message>
        <source>the change makes it a submodule (mode 160000). The agent may not add submodules; a person must.</source>
        <translation>die Änderung macht ihn zu einem Submodul (Modus 160000). Der Agent darf keine Submodule hinzufügen; das muss ein Mensch tun.</translation>
    </message>
    <message>
        <source>the new mode %1 is not a mode git writes for a file (100644, 100755). Write a regular file.</source>
        <translation>der neue Modus %1 ist kein Modus, den git für eine Datei schreibt (100644, 100755). Schreiben Sie eine reguläre Datei.</translation>
    </message>
    <message>
        <source>the change turns mode %1 into %2; the agent may not turn files into or out of symbolic links or submodules. Keep the mode.</source>
        <translation>die Änderung macht aus Modus %1 den Modus %2; der Agent darf Dateien weder in symbolische Links oder Submodule umwandeln noch umgekehrt. Behalten Sie den Modus bei.</translation>
    </message>
    <message>
        <source>the new content is %1 bytes; the limit is %2 bytes (max_file_kb = %3 in [policy] of .astra.toml). Raise max_file_kb if a file this size is meant to be written; otherwise write a smaller file.</source>
        <translation>der neue Inhalt hat %1 Bytes; die Grenze ist %2 Bytes (max_file_kb = %3 in [policy] von .astra.toml). Erhöhen Sie max_file_kb, wenn eine Datei dieser Größe geschrieben werden soll; sonst schreiben Sie eine kleinere Datei.</translation>
    </message>
    <message numerus="yes">
        <source>The path policy refuses the change set (%1): it changes %n file(s); the limit is %2 (max_files in [policy] of .astra.toml). Raise max_files if a change this size is meant to be reviewed in one piece; otherwise split the work.</source>
        <translation>
            <numerusform>Die Pfadrichtlinie lehnt den Änderungssatz ab (%1): er ändert %n Datei; die Grenze ist %2 (max_files in [policy] von .astra.toml). Erhöhen Sie max_files, wenn eine Änderung dieser Größe in einem Stück geprüft werden soll; sonst teilen Sie die Arbeit auf.</numerusform>
            <numerusform>Die Pfadrichtlinie lehnt den Änderungssatz ab (%1): er ändert %n Dateien; die Grenze ist %2 (max_files in [policy] von .astra.toml). Erhöhen Sie max_files, wenn eine Änderung dieser Größe in einem Stück geprüft werden soll; sonst teilen Sie die Arbeit auf.</numerusform>
        </translation>
    </message>
    <message>
        <source>The path policy refuses the change set (%1): its new files add up to %2 bytes; the limit is %3 bytes (max_total_kb = %4 in [policy] of .astra.toml). Raise max_total_kb if a change this size is meant to be reviewed in one piece; otherwise split the work.</source>
        <translation>Die Pfadrichtlinie lehnt den Änderungssatz ab (%1): seine neuen Dateien ergeben zusammen %2 Bytes; die Grenze ist %3 Bytes (max_total_kb = %4 in [policy] von .astra.toml). Erhöhen Sie max_total_kb, wenn eine Änderung dieser Größe in einem Stück geprüft werden soll; sonst teilen Sie die Arbeit auf.</translation>
    </message>
    <message numerus="yes">
        <source>The change adds and deletes %n line(s), all its files together; [policy] max_changed_lines = %1 in %2 allows no more. Raise max_changed_lines (in a commit on the target branch) if a change this size is meant to be reviewed in one piece; otherwise split the work.</source>
        <translation>
            <numerusform>Die Änderung fügt %n Zeile hinzu oder löscht sie, alle ihre Dateien zusammen; [policy] max_changed_lines = %1 in %2 erlaubt nicht mehr. Erhöhen Sie max_changed_lines (in einem Commit auf dem Zielzweig), wenn eine Änderung dieser Größe als Ganzes geprüft werden soll; sonst teilen Sie die Arbeit.</numerusform>
            <numerusform>Die Änderung fügt %n Zeilen hinzu und löscht sie, alle ihre Dateien zusammen; [policy] max_changed_lines = %1 in %2 erlaubt nicht mehr. Erhöhen Sie max_changed_lines (in einem Commit auf dem Zielzweig), wenn eine Änderung dieser Größe als Ganzes geprüft werden soll; sonst teilen Sie die Arbeit.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1 (%n line(s) added and deleted) is beyond the scope of this change, which was asked to touch %2. [policy] scope = &quot;refuse&quot; in %3 refuses changes beyond their scope; scope = &quot;flag&quot; there lets a reviewer decide instead.</source>
        <translation>
            <numerusform>%1 (%n Zeile hinzugefügt oder gelöscht) liegt außerhalb des Umfangs dieser Änderung, die %2 berühren sollte. [policy] scope = &quot;refuse&quot; in %3 lehnt Änderungen außerhalb ihres Umfangs ab; scope = &quot;flag&quot; überlässt die Entscheidung stattdessen einer prüfenden Person.</numerusform>
            <numerusform>%1 (%n Zeilen hinzugefügt und gelöscht) liegt außerhalb des Umfangs dieser Änderung, die %2 berühren sollte. [policy] scope = &quot;refuse&quot; in %3 lehnt Änderungen außerhalb ihres Umfangs ab; scope = &quot;flag&quot; überlässt die Entscheidung stattdessen einer prüfenden Person.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>astra::PlanGraph</name>
    <message>
        <source>not taken: %1</source>
        <translation>nicht gewählt: %1</translation>
    </message>
</context>
<context>
    <name>astra::PlanReading</name>
    <message>
        <source>%1 is %2</source>
        <translation>%1 ist %2</translation>
    </message>
    <message>
        <source>%1 is not %2</source>
        <translation>%1 ist nicht %2</translation>
    </message>
    <message>
        <source>%1 holds</source>
        <translation>%1 gilt</translation>
    </message>
    <message>
        <source>%1 is false</source>
        <translation>%1 ist falsch</translation>
    </message>
    <message>
        <source>a condition that must not hold does</source>
        <translation>eine Bedingung, die nicht gelten darf, gilt</translation>
    </message>
    <message>
        <source>none of the alternatives holds</source>
        <translation>keine der Alternativen gilt</translation>
    </message>
    <message>
        <source>nothing in the workspace satisfies the condition</source>
        <translation>nichts im Arbeitsbereich erfüllt die Bedingung</translation>
    </message>
    <message>
        <source>nothing in the workspace fits its parameters</source>
        <translation>nichts im Arbeitsbereich passt zu seinen Parametern</translation>
    </message>
    <message>
        <source>it does not apply to this task</source>
        <translation>er passt nicht zu dieser Aufgabe</translation>
    </message>
    <message>
        <source>the search stopped (%1) before it was tried to the end</source>
        <translation>die Suche hielt an (%1), bevor er zu Ende versucht war</translation>
    </message>
    <message>
        <source>%1 is not a %2</source>
        <translation>%1 ist kein %2</translation>
    </message>
    <message>
        <source>a later step could not be done: %1</source>
        <translation>ein späterer Schritt war nicht möglich: %1</translation>
    </message>
    <message>
        <source>“%1” could not run: %2</source>
        <translation>„%1“ konnte nicht laufen: %2</translation>
    </message>
    <message>
        <source>the domain has no way to do “%1”</source>
        <translation>die Domäne hat keinen Weg für „%1“</translation>
    </message>
    <message>
        <source>no way to “%1” works: %2</source>
        <translation>kein Weg für „%1“ funktioniert: %2</translation>
    </message>
    <message numerus="yes">
        <source>No plan: the search came furthest after %n step(s), at “%1”: %2.</source>
        <translation>
            <numerusform>Kein Plan: Die Suche kam nach %n Schritt am weitesten, bei „%1“: %2.</numerusform>
            <numerusform>Kein Plan: Die Suche kam nach %n Schritten am weitesten, bei „%1“: %2.</numerusform>
        </translation>
    </message>
    <message>
        <source>✗ %1: not taken, %2</source>
        <translation>✗ %1: nicht gewählt, %2</translation>
    </message>
    <message>
        <source>Plan %1 found no plan (%2); plan %3 found one.</source>
        <translation>Plan %1 fand keinen Plan (%2); Plan %3 fand einen.</translation>
    </message>
    <message>
        <source>Plan %1 had a plan; plan %2 found none (%3).</source>
        <translation>Plan %1 hatte einen Plan; Plan %2 fand keinen (%3).</translation>
    </message>
    <message>
        <source>New: %1</source>
        <translation>Neu: %1</translation>
    </message>
    <message>
        <source>%1: the same way with other objects, “%2” instead of “%3”.</source>
        <translation>%1: derselbe Weg mit anderen Objekten, „%2“ statt „%3“.</translation>
    </message>
    <message>
        <source>no way found</source>
        <translation>kein Weg gefunden</translation>
    </message>
    <message>
        <source>%1: “%2” instead of “%3”.</source>
        <translation>%1: „%2“ statt „%3“.</translation>
    </message>
    <message>
        <source>“%1” is not taken now: %2.</source>
        <translation>„%1“ wird jetzt nicht gewählt: %2.</translation>
    </message>
    <message>
        <source>“%1” was not taken before: %2.</source>
        <translation>„%1“ wurde vorher nicht gewählt: %2.</translation>
    </message>
    <message>
        <source>No longer in the plan: %1</source>
        <translation>Nicht mehr im Plan: %1</translation>
    </message>
    <message numerus="yes">
        <source>%1 (%n times)</source>
        <translation>
            <numerusform>%1 (%n-mal)</numerusform>
            <numerusform>%1 (%n-mal)</numerusform>
        </translation>
    </message>
    <message>
        <source>“%1” is already being worked out from this same situation further up: this way would go round in a circle</source>
        <translation>„%1“ wird weiter oben bereits aus genau dieser Lage heraus ausgearbeitet: dieser Weg würde im Kreis führen</translation>
    </message>
</context>
<context>
    <name>astra::PlanRepository</name>
    <message>
        <source>Creating a plan for goal %1</source>
        <translation>Anlegen eines Plans für Ziel %1</translation>
    </message>
    <message>
        <source>Creating a plan returned no id in %1</source>
        <translation>Das Anlegen eines Plans lieferte in %1 keine ID</translation>
    </message>
    <message>
        <source>Internal error: plan node %1 comes before its parent</source>
        <translation>Interner Fehler: Planknoten %1 steht vor seinem Elternknoten</translation>
    </message>
    <message>
        <source>Storing the decomposition of plan %1</source>
        <translation>Speichern der Zerlegung von Plan %1</translation>
    </message>
    <message>
        <source>Storing a plan node returned no id</source>
        <translation>Das Speichern eines Planknotens lieferte keine ID</translation>
    </message>
    <message>
        <source>Storing the tasks of plan %1</source>
        <translation>Speichern der Aufgaben von Plan %1</translation>
    </message>
    <message>
        <source>Reading the decomposition of plan %1</source>
        <translation>Lesen der Zerlegung von Plan %1</translation>
    </message>
    <message>
        <source>Reading plan %1</source>
        <translation>Lesen von Plan %1</translation>
    </message>
    <message>
        <source>Plan %1 does not exist.</source>
        <translation>Plan %1 existiert nicht.</translation>
    </message>
    <message>
        <source>Reading the plan of goal %1</source>
        <translation>Lesen des Plans von Ziel %1</translation>
    </message>
    <message>
        <source>Updating plan %1</source>
        <translation>Aktualisieren von Plan %1</translation>
    </message>
    <message>
        <source>Plan %1 was changed by someone else since it was read (version %2); nothing was written. Reload it and try again.</source>
        <translation>Plan %1 wurde seit dem Lesen von jemand anderem geändert (Version %2); es wurde nichts geschrieben. Laden Sie ihn neu und versuchen Sie es noch einmal.</translation>
    </message>
    <message>
        <source>Reading the plans of goal %1</source>
        <translation>Die Pläne von Ziel %1 lesen</translation>
    </message>
</context>
<context>
    <name>astra::PlanTreeModel</name>
    <message>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation>%1 min %2 s</translation>
    </message>
    <message>
        <source>→ %1</source>
        <translation>→ %1</translation>
    </message>
    <message>
        <source>✗ %1</source>
        <translation>✗ %1</translation>
    </message>
    <message>
        <source>chosen</source>
        <translation>gewählt</translation>
    </message>
    <message>
        <source>no task</source>
        <translation>keine Aufgabe</translation>
    </message>
    <message>
        <source>Decomposition</source>
        <translation>Zerlegung</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>Dauer</translation>
    </message>
    <message>
        <source>Cost</source>
        <translation>Kosten</translation>
    </message>
    <message>
        <source>Why / outcome</source>
        <translation>Grund / Ergebnis</translation>
    </message>
    <message>
        <source>waiting for plan approval</source>
        <translation>wartet auf Freigabe des Plans</translation>
    </message>
    <message>
        <source>%1. %2</source>
        <translation>%1. %2</translation>
    </message>
    <message>
        <source>Defined at %1</source>
        <translation>Definiert in %1</translation>
    </message>
    <message>
        <source>not taken</source>
        <translation>nicht gewählt</translation>
    </message>
    <message>
        <source>nothing to do</source>
        <translation>nichts zu tun</translation>
    </message>
    <message numerus="yes">
        <source>%1 of %n step(s) failed</source>
        <translation>
            <numerusform>%1 von %n Schritt fehlgeschlagen</numerusform>
            <numerusform>%1 von %n Schritten fehlgeschlagen</numerusform>
        </translation>
    </message>
    <message>
        <source>done</source>
        <translation>erledigt</translation>
    </message>
    <message numerus="yes">
        <source>%1 of %n step(s) done</source>
        <translation>
            <numerusform>%1 von %n Schritt erledigt</numerusform>
            <numerusform>%1 von %n Schritten erledigt</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n step(s)</source>
        <translation>
            <numerusform>%n Schritt</numerusform>
            <numerusform>%n Schritte</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>astra::PlanView</name>
    <message>
        <source>&amp;Approve plan</source>
        <translation>Plan &amp;genehmigen</translation>
    </message>
    <message>
        <source>Nothing of a plan runs before a person approves it (Ctrl+Shift+P).</source>
        <translation>Nichts von einem Plan läuft, bevor ein Mensch ihn genehmigt (Strg+Umschalt+P).</translation>
    </message>
    <message>
        <source>Approve plan</source>
        <translation>Plan genehmigen</translation>
    </message>
    <message>
        <source>Loading the plan of goal %1…</source>
        <translation>Der Plan von Ziel %1 wird geladen…</translation>
    </message>
    <message>
        <source>Select a goal on the board to see its plan.</source>
        <translation>Wählen Sie ein Ziel auf der Tafel, um seinen Plan zu sehen.</translation>
    </message>
    <message>
        <source>Goal %1 has no plan yet. It is planned when it is active: by the background loop, `astra plan %1` or `astra cycle`.</source>
        <translation>Ziel %1 hat noch keinen Plan. Es wird geplant, sobald es aktiv ist: von der Hintergrundschleife, `astra plan %1` oder `astra cycle`.</translation>
    </message>
    <message numerus="yes">
        <source>&lt;b&gt;Plan %1 of goal %2: %3&lt;/b&gt; — %4, %n expansion(s), %5 ms</source>
        <translation>
            <numerusform>&lt;b&gt;Plan %1 von Ziel %2: %3&lt;/b&gt; — %4, %n Expansion, %5 ms</numerusform>
            <numerusform>&lt;b&gt;Plan %1 von Ziel %2: %3&lt;/b&gt; — %4, %n Expansionen, %5 ms</numerusform>
        </translation>
    </message>
    <message>
        <source>Approved by %1 at %2</source>
        <translation>Genehmigt von %1 am %2</translation>
    </message>
    <message>
        <source>Waiting for approval: nothing runs before that.</source>
        <translation>Wartet auf Genehmigung: vorher läuft nichts.</translation>
    </message>
    <message>
        <source>%1 · attempt %2 of %3 · %4</source>
        <translation>%1 · Versuch %2 von %3 · %4</translation>
    </message>
    <message>
        <source>Proposer</source>
        <translation>Proposer</translation>
    </message>
    <message>
        <source>Rationale</source>
        <translation>Begründung</translation>
    </message>
    <message>
        <source>Request</source>
        <translation>Anfrage</translation>
    </message>
    <message>
        <source>Answer</source>
        <translation>Antwort</translation>
    </message>
    <message>
        <source>Standard error</source>
        <translation>Standardfehler</translation>
    </message>
    <message>
        <source>Output</source>
        <translation>Ausgabe</translation>
    </message>
    <message>
        <source>Runs</source>
        <translation>Läufe</translation>
    </message>
    <message>
        <source>attempt %1: %2, %3, started %4</source>
        <translation>Versuch %1: %2, %3, gestartet %4</translation>
    </message>
    <message>
        <source>Sandbox</source>
        <translation>Sandbox</translation>
    </message>
    <message>
        <source>Unsandboxed:</source>
        <translation>Ohne Sandbox:</translation>
    </message>
    <message>
        <source>Exit code</source>
        <translation>Exit-Code</translation>
    </message>
    <message numerus="yes">
        <source>(%n byte(s))</source>
        <translation>
            <numerusform>(%n Byte)</numerusform>
            <numerusform>(%n Bytes)</numerusform>
        </translation>
    </message>
    <message>
        <source>P&amp;lan:</source>
        <translation>P&amp;lan:</translation>
    </message>
    <message>
        <source>The goal&apos;s plans: the current one and those it replaced.</source>
        <translation>Die Pläne des Ziels: der aktuelle und die, die er ersetzt hat.</translation>
    </message>
    <message>
        <source>&amp;Compare with the previous plan</source>
        <translation>Mit dem vorigen Plan &amp;vergleichen</translation>
    </message>
    <message>
        <source>Planner&apos;s s&amp;ymbols</source>
        <translation>S&amp;ymbole des Planers</translation>
    </message>
    <message>
        <source>Show tasks, ways and objects as the planner names them (Ctrl+Shift+Y).</source>
        <translation>Aufgaben, Wege und Objekte so zeigen, wie der Planer sie nennt (Strg+Umschalt+Y).</translation>
    </message>
    <message>
        <source>Zoom out the picture (Ctrl+wheel)</source>
        <translation>Bild verkleinern (Strg+Mausrad)</translation>
    </message>
    <message>
        <source>Fit</source>
        <translation>Einpassen</translation>
    </message>
    <message>
        <source>Show the whole picture</source>
        <translation>Das ganze Bild zeigen</translation>
    </message>
    <message>
        <source>Zoom in the picture (Ctrl+wheel)</source>
        <translation>Bild vergrößern (Strg+Mausrad)</translation>
    </message>
    <message>
        <source>E&amp;xport</source>
        <translation>E&amp;xportieren</translation>
    </message>
    <message>
        <source>Picture as SVG…</source>
        <translation>Bild als SVG…</translation>
    </message>
    <message>
        <source>Export the plan as SVG</source>
        <translation>Den Plan als SVG exportieren</translation>
    </message>
    <message>
        <source>SVG pictures (*.svg)</source>
        <translation>SVG-Bilder (*.svg)</translation>
    </message>
    <message>
        <source>Picture as PNG…</source>
        <translation>Bild als PNG…</translation>
    </message>
    <message>
        <source>Export the plan as PNG</source>
        <translation>Den Plan als PNG exportieren</translation>
    </message>
    <message>
        <source>PNG images (*.png)</source>
        <translation>PNG-Bilder (*.png)</translation>
    </message>
    <message>
        <source>Select a step to see what it produced, or a way not taken to see why.</source>
        <translation>Einen Schritt wählen, um zu sehen, was er ergab, oder einen nicht gewählten Weg, um zu sehen, warum.</translation>
    </message>
    <message>
        <source>Planner&apos;s symbols</source>
        <translation>Symbole des Planers</translation>
    </message>
    <message>
        <source>Plan %1 · %2 (current)</source>
        <translation>Plan %1 · %2 (aktuell)</translation>
    </message>
    <message>
        <source>Plan %1 · %2 · %3</source>
        <translation>Plan %1 · %2 · %3</translation>
    </message>
    <message>
        <source>An earlier plan of the goal, shown as it was decided.</source>
        <translation>Ein früherer Plan des Ziels, so gezeigt, wie er entschieden wurde.</translation>
    </message>
    <message>
        <source>This is the goal&apos;s first plan: there is no earlier one to compare it with.</source>
        <translation>Dies ist der erste Plan des Ziels: Es gibt keinen früheren zum Vergleich.</translation>
    </message>
    <message>
        <source>From plan %1 (%2) to plan %3 (%4)</source>
        <translation>Von Plan %1 (%2) zu Plan %3 (%4)</translation>
    </message>
    <message>
        <source>The same decomposition.</source>
        <translation>Dieselbe Zerlegung.</translation>
    </message>
    <message>
        <source>%1 — line %2</source>
        <translation>%1 — Zeile %2</translation>
    </message>
    <message>
        <source>This program does not have the source of %1.</source>
        <translation>Dieses Programm hat den Quelltext von %1 nicht.</translation>
    </message>
    <message>
        <source>There is no plan to export.</source>
        <translation>Es gibt keinen Plan zum Exportieren.</translation>
    </message>
    <message>
        <source>Plan of goal %1</source>
        <translation>Plan von Ziel %1</translation>
    </message>
    <message>
        <source>the picture is too large for an image; export it as SVG</source>
        <translation>das Bild ist für eine Grafik zu groß; als SVG exportieren</translation>
    </message>
    <message>
        <source>Not taken:</source>
        <translation>Nicht gewählt:</translation>
    </message>
    <message>
        <source>The condition is written at</source>
        <translation>Die Bedingung steht in</translation>
    </message>
    <message>
        <source>Defined at</source>
        <translation>Definiert in</translation>
    </message>
    <message>
        <source>task %1: %2 %3</source>
        <translation>Aufgabe %1: %2 %3</translation>
    </message>
    <message numerus="yes">
        <source>Read %1 at %2 (%n byte(s)).</source>
        <translation>
            <numerusform>%1 bei %2 gelesen (%n Byte).</numerusform>
            <numerusform>%1 bei %2 gelesen (%n Bytes).</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Wrote %n file(s) on %1 as modification %2.</source>
        <translation>
            <numerusform>%n Datei auf %1 als Änderung %2 geschrieben.</numerusform>
            <numerusform>%n Dateien auf %1 als Änderung %2 geschrieben.</numerusform>
        </translation>
    </message>
    <message>
        <source>Open its diff</source>
        <translation>Ihren Diff öffnen</translation>
    </message>
    <message>
        <source>Tests %1: %2 passed, %3 failed, on %4.</source>
        <translation>Tests %1: %2 bestanden, %3 fehlgeschlagen, auf %4.</translation>
    </message>
    <message>
        <source>Open the review with the test log</source>
        <translation>Die Prüfung mit dem Testprotokoll öffnen</translation>
    </message>
    <message numerus="yes">
        <source>%1 of %n step(s) done</source>
        <translation>
            <numerusform>%1 von %n Schritt erledigt</numerusform>
            <numerusform>%1 von %n Schritten erledigt</numerusform>
        </translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>Dauer</translation>
    </message>
    <message>
        <source>Cost</source>
        <translation>Kosten</translation>
    </message>
    <message>
        <source>%1 cannot be shown: %2</source>
        <translation>%1 kann nicht gezeigt werden: %2</translation>
    </message>
    <message>
        <source>%1 is a binary file.</source>
        <translation>%1 ist eine Binärdatei.</translation>
    </message>
    <message numerus="yes">
        <source>Only its first %n KiB are shown.</source>
        <translation>
            <numerusform>Nur das erste %n KiB wird gezeigt.</numerusform>
            <numerusform>Nur die ersten %n KiB werden gezeigt.</numerusform>
        </translation>
    </message>
    <message>
        <source>Files written</source>
        <translation>Geschriebene Dateien</translation>
    </message>
    <message>
        <source>Test run</source>
        <translation>Testlauf</translation>
    </message>
    <message>
        <source>%1: %2 passed, %3 failed, %4 skipped; %5</source>
        <translation>%1: %2 bestanden, %3 fehlgeschlagen, %4 übersprungen; %5</translation>
    </message>
    <message>
        <source>Failing tests</source>
        <translation>Fehlschlagende Tests</translation>
    </message>
    <message>
        <source>Log (end)</source>
        <translation>Protokoll (Ende)</translation>
    </message>
</context>
<context>
    <name>astra::Planner</name>
    <message>
        <source>no fact (%1 …) holds</source>
        <translation>kein Fakt (%1 …) gilt</translation>
    </message>
    <message>
        <source>no binding of the remaining parameters satisfies the precondition</source>
        <translation>keine Belegung der übrigen Parameter erfüllt die Vorbedingung</translation>
    </message>
    <message>
        <source>%1 is not a %2</source>
        <translation>%1 ist nicht vom Typ %2</translation>
    </message>
    <message>
        <source>action %1: %2</source>
        <translation>Aktion %1: %2</translation>
    </message>
    <message>
        <source>the task&apos;s arguments do not fit the method&apos;s parameters</source>
        <translation>die Argumente der Aufgabe passen nicht zu den Parametern der Methode</translation>
    </message>
    <message>
        <source>precondition: %1</source>
        <translation>Vorbedingung: %1</translation>
    </message>
    <message>
        <source>the search stopped (%1)</source>
        <translation>die Suche wurde abgebrochen (%1)</translation>
    </message>
    <message>
        <source>its subtasks could not be completed: %1</source>
        <translation>ihre Teilaufgaben konnten nicht abgeschlossen werden: %1</translation>
    </message>
    <message>
        <source>no method decomposes %1</source>
        <translation>keine Methode zerlegt %1</translation>
    </message>
    <message>
        <source>no method of %1 %2 works; the last, %3 [%4]: %5</source>
        <translation>keine Methode von %1 %2 funktioniert; die letzte, %3 [%4]: %5</translation>
    </message>
    <message>
        <source>%1 is false</source>
        <translation>%1 ist falsch</translation>
    </message>
    <message>
        <source>%1 holds, and the negative condition at line %2 needs it not to</source>
        <translation>%1 gilt, die negative Bedingung in Zeile %2 verlangt aber das Gegenteil</translation>
    </message>
    <message>
        <source>the negative condition at line %1 is false</source>
        <translation>die negative Bedingung in Zeile %1 ist falsch</translation>
    </message>
    <message>
        <source>none of the alternatives at line %1 holds</source>
        <translation>keine der Alternativen in Zeile %1 gilt</translation>
    </message>
    <message>
        <source>for %1: %2</source>
        <translation>für %1: %2</translation>
    </message>
    <message>
        <source>nothing satisfies the condition at line %1</source>
        <translation>nichts erfüllt die Bedingung in Zeile %1</translation>
    </message>
    <message>
        <source>%1 %2 is already being decomposed in this same state further up; this way would go round in a circle</source>
        <translation>%1 %2 wird weiter oben bereits im selben Zustand zerlegt; dieser Weg würde im Kreis führen</translation>
    </message>
</context>
<context>
    <name>astra::PrivateCheckout</name>
    <message>
        <source>The agent left more than %1 files and folders in its checkout; nothing was harvested.</source>
        <translation>Der Agent hat mehr als %1 Dateien und Ordner in seinem Checkout hinterlassen; nichts wurde übernommen.</translation>
    </message>
    <message>
        <source>Reading the base tree %1</source>
        <translation>Lesen des Basisbaums %1</translation>
    </message>
    <message>
        <source>Reading the ignore rules for %1</source>
        <translation>Lesen der Ignorierregeln für %1</translation>
    </message>
    <message>
        <source>Reading %1 in the agent&apos;s checkout failed: %2</source>
        <translation>Lesen von %1 im Checkout des Agenten fehlgeschlagen: %2</translation>
    </message>
    <message>
        <source>The agent left %1, which is neither a file, a folder nor a symlink; nothing was harvested.</source>
        <translation>Der Agent hat %1 hinterlassen, das weder eine Datei noch ein Ordner noch ein symbolischer Link ist; nichts wurde übernommen.</translation>
    </message>
    <message>
        <source>Reading the symlink %1 in the agent&apos;s checkout failed: %2</source>
        <translation>Lesen des symbolischen Links %1 im Checkout des Agenten fehlgeschlagen: %2</translation>
    </message>
    <message>
        <source>Hashing %1</source>
        <translation>Hashen von %1</translation>
    </message>
    <message>
        <source>Creating the agent&apos;s checkout in %1</source>
        <translation>Anlegen des Checkouts des Agenten in %1</translation>
    </message>
    <message>
        <source>Copying the tree of %1 into the agent&apos;s checkout</source>
        <translation>Kopieren des Baums von %1 in den Checkout des Agenten</translation>
    </message>
    <message>
        <source>Committing the base into the agent&apos;s checkout</source>
        <translation>Committen der Basis in den Checkout des Agenten</translation>
    </message>
    <message>
        <source>Cannot create a temporary folder to harvest the agent&apos;s change: %1</source>
        <translation>Ein temporärer Ordner zum Übernehmen der Änderung des Agenten kann nicht angelegt werden: %1</translation>
    </message>
    <message>
        <source>Preparing to harvest the agent&apos;s change</source>
        <translation>Vorbereiten der Übernahme der Änderung des Agenten</translation>
    </message>
    <message>
        <source>The folder %1 in the agent&apos;s checkout cannot be read; nothing was harvested.</source>
        <translation>Der Ordner %1 im Checkout des Agenten kann nicht gelesen werden; nichts wurde übernommen.</translation>
    </message>
    <message>
        <source>The agent left %1/.gitignore as something other than a file; nothing was harvested.</source>
        <translation>Der Agent hinterließ %1/.gitignore als etwas anderes als eine Datei; nichts wurde übernommen.</translation>
    </message>
    <message>
        <source>The agent&apos;s change holds more than %1 MiB; nothing was harvested.</source>
        <translation>Die Änderung des Agenten umfasst mehr als %1 MiB; nichts wurde übernommen.</translation>
    </message>
</context>
<context>
    <name>astra::Proposer</name>
    <message>
        <source>The plan asks for the proposer &apos;%1&apos;, but %2 configures &apos;%3&apos; in [proposer] kind. Plan the goal again, or configure that proposer.</source>
        <translation>Der Plan verlangt den Vorschlagsgeber &apos;%1&apos;, aber %2 konfiguriert &apos;%3&apos; in [proposer] kind. Planen Sie das Ziel neu oder konfigurieren Sie diesen Vorschlagsgeber.</translation>
    </message>
    <message>
        <source>[proposer] kind is &quot;command&quot; but command is empty in %1: set the command line of the agent to run.</source>
        <translation>[proposer] kind ist &quot;command&quot;, aber command ist in %1 leer: Geben Sie die Befehlszeile des auszuführenden Agenten an.</translation>
    </message>
    <message>
        <source>The proposer &apos;%1&apos; is not available in this version of Astra Review; the available ones are: %2. Change [proposer] kind in %3.</source>
        <translation>Der Vorschlagsgeber &apos;%1&apos; ist in dieser Version von Astra Review nicht verfügbar; verfügbar sind: %2. Ändern Sie [proposer] kind in %3.</translation>
    </message>
    <message>
        <source>The proposer answered with nothing: no diff and no change set.</source>
        <translation>Der Vorschlagsgeber hat nichts geantwortet: weder ein Diff noch einen Änderungssatz.</translation>
    </message>
    <message>
        <source>The proposer&apos;s diff does not apply to %1: %2</source>
        <translation>Der Diff des Vorschlagsgebers lässt sich nicht auf %1 anwenden: %2</translation>
    </message>
    <message>
        <source>The proposer&apos;s answer starts with &apos;{&apos; but is not a JSON object: %1 at offset %2.</source>
        <translation>Die Antwort des Vorschlagsgebers beginnt mit &apos;{&apos;, ist aber kein JSON-Objekt: %1 an Position %2.</translation>
    </message>
    <message>
        <source>The proposer&apos;s change set has no &quot;files&quot;: give at least one {&quot;path&quot;, &quot;content&quot;}.</source>
        <translation>Der Änderungssatz des Vorschlagsgebers hat keine &quot;files&quot;: Geben Sie mindestens ein {&quot;path&quot;, &quot;content&quot;} an.</translation>
    </message>
    <message>
        <source>files[%1] of the proposer&apos;s change set has no &quot;path&quot;.</source>
        <translation>files[%1] im Änderungssatz des Vorschlagsgebers hat keinen &quot;path&quot;.</translation>
    </message>
    <message>
        <source>files[%1] (%2) of the proposer&apos;s change set needs &quot;content&quot; (a string) or &quot;delete&quot;: true.</source>
        <translation>files[%1] (%2) im Änderungssatz des Vorschlagsgebers benötigt &quot;content&quot; (eine Zeichenkette) oder &quot;delete&quot;: true.</translation>
    </message>
    <message>
        <source>[proposer] kind is &quot;openai&quot; but base_url or model is empty in %1.</source>
        <translation>[proposer] kind ist &quot;openai&quot;, aber base_url oder model ist in %1 leer.</translation>
    </message>
    <message>
        <source>[proposer] runs the agent &quot;command&quot; but command is empty in the configuration: set the command line of the agent to run.</source>
        <translation>[proposer] startet den Agenten &quot;command&quot;, aber command ist in der Konfiguration leer: setzen Sie die Befehlszeile des Agenten.</translation>
    </message>
    <message>
        <source>[proposer] agent &quot;%1&quot; is not one of %2.</source>
        <translation>[proposer] agent &quot;%1&quot; ist keiner von %2.</translation>
    </message>
    <message>
        <source>install it with pipx install aider-chat</source>
        <translation>installieren Sie ihn mit pipx install aider-chat</translation>
    </message>
    <message>
        <source>install it with npm install -g @anthropic-ai/claude-code</source>
        <translation>installieren Sie ihn mit npm install -g @anthropic-ai/claude-code</translation>
    </message>
    <message>
        <source>install it with npm install -g @openai/codex</source>
        <translation>installieren Sie ihn mit npm install -g @openai/codex</translation>
    </message>
    <message>
        <source>install it with npm install -g @google/gemini-cli</source>
        <translation>installieren Sie ihn mit npm install -g @google/gemini-cli</translation>
    </message>
    <message>
        <source>install the goose CLI as its documentation describes</source>
        <translation>installieren Sie die goose-CLI, wie ihre Dokumentation es beschreibt</translation>
    </message>
    <message>
        <source>install it with npm install -g opencode-ai</source>
        <translation>installieren Sie ihn mit npm install -g opencode-ai</translation>
    </message>
    <message>
        <source>No proposer is configured: set [proposer] kind in %1 to fixits, openai, agent or command.</source>
        <translation>Kein Vorschlagender ist konfiguriert: setzen Sie [proposer] kind in %1 auf fixits, openai, agent oder command.</translation>
    </message>
</context>
<context>
    <name>astra::Renames</name>
    <message>
        <source>Opening the object database</source>
        <translation>Öffnen der Objektdatenbank</translation>
    </message>
    <message>
        <source>Finding renames</source>
        <translation>Suchen der Umbenennungen</translation>
    </message>
</context>
<context>
    <name>astra::ReviewView</name>
    <message>
        <source>pending tests</source>
        <translation>Tests ausstehend</translation>
    </message>
    <message>
        <source>testing</source>
        <translation>wird getestet</translation>
    </message>
    <message>
        <source>awaiting approval</source>
        <translation>wartet auf Genehmigung</translation>
    </message>
    <message>
        <source>approved, not merged yet</source>
        <translation>genehmigt, noch nicht zusammengeführt</translation>
    </message>
    <message>
        <source>merged</source>
        <translation>zusammengeführt</translation>
    </message>
    <message>
        <source>rejected</source>
        <translation>abgelehnt</translation>
    </message>
    <message>
        <source>tests failed</source>
        <translation>Tests fehlgeschlagen</translation>
    </message>
    <message>
        <source>conflicted</source>
        <translation>im Konflikt</translation>
    </message>
    <message>
        <source>rolled back</source>
        <translation>zurückgenommen</translation>
    </message>
    <message>
        <source>%1 runs automatically (build, CI, hooks or packaging): read it as code that will execute on the next build.</source>
        <translation>%1 läuft automatisch (Build, CI, Hooks oder Paketierung): lesen Sie es als Code, der beim nächsten Build ausgeführt wird.</translation>
    </message>
    <message>
        <source>%1 has fewer assertions than before: a test was weakened.</source>
        <translation>%1 hat weniger Zusicherungen als vorher: ein Test wurde abgeschwächt.</translation>
    </message>
    <message>
        <source>%1, a test file, is deleted.</source>
        <translation>%1, eine Testdatei, wird gelöscht.</translation>
    </message>
    <message>
        <source>%1 became executable.</source>
        <translation>%1 wurde ausführbar.</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>&amp;Approve change</source>
        <translation>Änderung &amp;genehmigen</translation>
    </message>
    <message>
        <source>Re&amp;ject change…</source>
        <translation>Änderung a&amp;blehnen …</translation>
    </message>
    <message>
        <source>&amp;Merge…</source>
        <translation>&amp;Zusammenführen …</translation>
    </message>
    <message>
        <source>Roll &amp;back…</source>
        <translation>&amp;Zurücknehmen …</translation>
    </message>
    <message>
        <source>Select a goal with a modification on the Goals board to review it.</source>
        <translation>Wählen Sie auf der Zieltafel ein Ziel mit einer Änderung, um sie zu prüfen.</translation>
    </message>
    <message>
        <source>Nothing to review</source>
        <translation>Nichts zu prüfen</translation>
    </message>
    <message>
        <source>Modification %1</source>
        <translation>Änderung %1</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Wird geladen …</translation>
    </message>
    <message>
        <source>Modification %1 could not be loaded</source>
        <translation>Änderung %1 konnte nicht geladen werden</translation>
    </message>
    <message>
        <source>Modification %1 · %2 · %3</source>
        <translation>Änderung %1 · %2 · %3</translation>
    </message>
    <message>
        <source>Reject modification %1</source>
        <translation>Änderung %1 ablehnen</translation>
    </message>
    <message>
        <source>Why? The reason is kept with the modification and in the audit ledger.</source>
        <translation>Warum? Der Grund wird bei der Änderung und im Prüfprotokoll gespeichert.</translation>
    </message>
    <message>
        <source>Merge modification %1</source>
        <translation>Änderung %1 zusammenführen</translation>
    </message>
    <message numerus="yes">
        <source>Merge “%1” into %2?

It changes %n file(s): %3.
The branch&apos;s head %4 is the commit that was tested.</source>
        <translation>
            <numerusform>„%1“ in %2 zusammenführen?

Sie ändert %n Datei: %3.
Der Kopf des Zweigs, %4, ist der getestete Commit.</numerusform>
            <numerusform>„%1“ in %2 zusammenführen?

Sie ändert %n Dateien: %3.
Der Kopf des Zweigs, %4, ist der getestete Commit.</numerusform>
        </translation>
    </message>
    <message>
        <source>Roll back modification %1</source>
        <translation>Änderung %1 zurücknehmen</translation>
    </message>
    <message numerus="yes">
        <source>A revert commit on %1 will restore %n file(s): %2.</source>
        <translation>
            <numerusform>Ein Revert-Commit auf %1 stellt %n Datei wieder her: %2.</numerusform>
            <numerusform>Ein Revert-Commit auf %1 stellt %n Dateien wieder her: %2.</numerusform>
        </translation>
    </message>
    <message>
        <source>No later commit on %1 touches them.</source>
        <translation>Kein späterer Commit auf %1 berührt sie.</translation>
    </message>
    <message numerus="yes">
        <source>%n later commit(s) on %1 touch them; the revert may conflict with:</source>
        <translation>
            <numerusform>%n späterer Commit auf %1 berührt sie; der Revert kann kollidieren mit:</numerusform>
            <numerusform>%n spätere Commits auf %1 berühren sie; der Revert kann kollidieren mit:</numerusform>
        </translation>
    </message>
    <message>
        <source>  %1 %2 (%3)</source>
        <translation>  %1 %2 (%3)</translation>
    </message>
    <message>
        <source>Uncommitted local edits are in the way: %1. The rollback stops before changing anything until they are committed or stashed.</source>
        <translation>Nicht committete lokale Änderungen stehen im Weg: %1. Die Rücknahme hält an, bevor sie etwas ändert, bis diese committet oder weggelegt sind.</translation>
    </message>
    <message>
        <source>%1 is checked out; the work tree is updated with the revert.</source>
        <translation>%1 ist ausgecheckt; der Arbeitsbaum wird mit dem Revert aktualisiert.</translation>
    </message>
    <message>
        <source>Branch</source>
        <translation>Zweig</translation>
    </message>
    <message>
        <source>%1 → %2</source>
        <translation>%1 → %2</translation>
    </message>
    <message>
        <source>Commits</source>
        <translation>Commits</translation>
    </message>
    <message>
        <source>base %1, head %2</source>
        <translation>Basis %1, Kopf %2</translation>
    </message>
    <message>
        <source>Merged as</source>
        <translation>Zusammengeführt als</translation>
    </message>
    <message>
        <source>Reverted by</source>
        <translation>Zurückgenommen durch</translation>
    </message>
    <message>
        <source>Files</source>
        <translation>Dateien</translation>
    </message>
    <message numerus="yes">
        <source>%n file(s), +%1 −%2</source>
        <translation>
            <numerusform>%n Datei, +%1 −%2</numerusform>
            <numerusform>%n Dateien, +%1 −%2</numerusform>
        </translation>
    </message>
    <message>
        <source>Written</source>
        <translation>Geschrieben</translation>
    </message>
    <message>
        <source>by task %1 of the goal&apos;s plan, %2</source>
        <translation>von Aufgabe %1 des Plans des Ziels, %2</translation>
    </message>
    <message>
        <source>imported, %1</source>
        <translation>importiert, %1</translation>
    </message>
    <message>
        <source>Provenance</source>
        <translation>Herkunft</translation>
    </message>
    <message>
        <source>Goal</source>
        <translation>Ziel</translation>
    </message>
    <message>
        <source>#%1 %2 (%3)</source>
        <translation>#%1 %2 (%3)</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Art</translation>
    </message>
    <message>
        <source>Found by</source>
        <translation>Gefunden von</translation>
    </message>
    <message>
        <source>the %1 detector (proposal %2)</source>
        <translation>dem Detektor %1 (Vorschlag %2)</translation>
    </message>
    <message>
        <source>Confidence</source>
        <translation>Konfidenz</translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <source>Checks passed</source>
        <translation>Bestandene Prüfungen</translation>
    </message>
    <message>
        <source>confidence, rate limits, duplicates, principles, feasibility (a plan was found)</source>
        <translation>Konfidenz, Ratenlimits, Duplikate, Grundsätze, Ausführbarkeit (ein Plan wurde gefunden)</translation>
    </message>
    <message>
        <source>Approved</source>
        <translation>Genehmigt</translation>
    </message>
    <message>
        <source>automatically, at the configured threshold</source>
        <translation>automatisch, an der konfigurierten Schwelle</translation>
    </message>
    <message>
        <source>by a person</source>
        <translation>von einer Person</translation>
    </message>
    <message>
        <source>Added by</source>
        <translation>Hinzugefügt von</translation>
    </message>
    <message>
        <source>%1, by hand: the generator&apos;s checks do not apply</source>
        <translation>%1, von Hand: die Prüfungen des Generators gelten nicht</translation>
    </message>
    <message>
        <source>Evidence files</source>
        <translation>Dateien der Belege</translation>
    </message>
    <message>
        <source>Rationale</source>
        <translation>Begründung</translation>
    </message>
    <message>
        <source>The proposer gave no rationale.</source>
        <translation>Der Proposer hat keine Begründung gegeben.</translation>
    </message>
    <message>
        <source>Tests</source>
        <translation>Tests</translation>
    </message>
    <message>
        <source>Not tested yet.</source>
        <translation>Noch nicht getestet.</translation>
    </message>
    <message>
        <source>%1: %2 passed, %3 failed, %4 skipped</source>
        <translation>%1: %2 bestanden, %3 fehlgeschlagen, %4 übersprungen</translation>
    </message>
    <message>
        <source>On %1, the exact commit under review.</source>
        <translation>Auf %1, genau dem geprüften Commit.</translation>
    </message>
    <message>
        <source>On %1, not the head under review (%2): run the tests again.</source>
        <translation>Auf %1, nicht dem geprüften Kopf (%2): führen Sie die Tests erneut aus.</translation>
    </message>
    <message>
        <source>Command: %1 · sandbox: %2 · %3 → %4</source>
        <translation>Befehl: %1 · Sandbox: %2 · %3 → %4</translation>
    </message>
    <message>
        <source>Failing tests</source>
        <translation>Fehlschlagende Tests</translation>
    </message>
    <message numerus="yes">
        <source>%n earlier run(s).</source>
        <translation>
            <numerusform>%n früherer Lauf.</numerusform>
            <numerusform>%n frühere Läufe.</numerusform>
        </translation>
    </message>
    <message>
        <source>Log (end)</source>
        <translation>Log (Ende)</translation>
    </message>
    <message>
        <source>Flags</source>
        <translation>Hinweise</translation>
    </message>
    <message>
        <source>None: no auto-run files, no weakened or deleted tests, no new executables.</source>
        <translation>Keine: keine automatisch laufenden Dateien, keine abgeschwächten oder gelöschten Tests, keine neuen ausführbaren Dateien.</translation>
    </message>
    <message>
        <source>Conflicts</source>
        <translation>Konflikte</translation>
    </message>
    <message>
        <source>%1 changed since the base of this modification in: %2. It cannot be merged as tested; reject it and plan the goal again.</source>
        <translation>%1 hat sich seit der Basis dieser Änderung geändert in: %2. Sie kann nicht wie getestet zusammengeführt werden; lehnen Sie sie ab und planen Sie das Ziel neu.</translation>
    </message>
    <message>
        <source>Rolling back</source>
        <translation>Zurücknehmen</translation>
    </message>
    <message>
        <source>Changes</source>
        <translation>Änderungen</translation>
    </message>
    <message>
        <source>Evidence</source>
        <translation>Belege</translation>
    </message>
    <message>
        <source>Unsandboxed: these tests ran without isolation (sandbox = &quot;none&quot;), so they could read and change anything the account that ran them can.</source>
        <translation>Ohne Sandbox: Diese Tests liefen ohne Isolation (sandbox = &quot;none&quot;) und konnten alles lesen und ändern, was das ausführende Konto darf.</translation>
    </message>
    <message>
        <source>%1 changes which files git ignores: files it now ignores no longer show in git status.</source>
        <translation>%1 ändert, welche Dateien git ignoriert: Dateien, die es nun ignoriert, erscheinen nicht mehr in git status.</translation>
    </message>
    <message>
        <source>&amp;Test again</source>
        <translation>Erneut &amp;testen</translation>
    </message>
    <message>
        <source>Run the tests again on the target branch as it is now (the merge this change would make) and put the change back for review; an approval is withdrawn</source>
        <translation>Die Tests erneut auf dem Ziel-Branch in seinem jetzigen Stand ausführen (auf dem Merge, den diese Änderung ergäbe) und die Änderung zurück zur Prüfung geben; eine Genehmigung wird zurückgezogen</translation>
    </message>
    <message>
        <source>On %1: the commit under review, %2, merged onto %3 at %4 (tested again after %3 moved).</source>
        <translation>Auf %1: der geprüfte Commit %2, auf %3 bei %4 gemergt (erneut getestet, nachdem sich %3 bewegt hatte).</translation>
    </message>
    <message>
        <source>Run &amp;tests</source>
        <translation>&amp;Tests ausführen</translation>
    </message>
    <message>
        <source>Run the tests on this change&apos;s commit; it then waits for review</source>
        <translation>Die Tests auf dem Commit dieser Änderung ausführen; danach wartet sie auf Prüfung</translation>
    </message>
    <message>
        <source>Why roll it back? The reason goes into the revert commit, the reopened goal and the audit ledger.</source>
        <translation>Warum zurücknehmen? Der Grund kommt in den Revert-Commit, das wieder geöffnete Ziel und das Prüfprotokoll.</translation>
    </message>
    <message>
        <source>Revisions</source>
        <translation>Revisionen</translation>
    </message>
    <message>
        <source>not tested</source>
        <translation>nicht getestet</translation>
    </message>
    <message>
        <source>tests %1</source>
        <translation>Tests %1</translation>
    </message>
    <message>
        <source>Revision %1</source>
        <translation>Revision %1</translation>
    </message>
    <message>
        <source>%1 · %2 · %3 · %4%5</source>
        <translation>%1 · %2 · %3 · %4%5</translation>
    </message>
    <message>
        <source> · current</source>
        <translation> · aktuell</translation>
    </message>
    <message>
        <source>Apply &amp;decisions</source>
        <translation>&amp;Entscheidungen anwenden</translation>
    </message>
    <message>
        <source>C&amp;omment…</source>
        <translation>K&amp;ommentieren …</translation>
    </message>
    <message>
        <source>Re&amp;quest changes</source>
        <translation>Änderungen an&amp;fordern</translation>
    </message>
    <message>
        <source>&amp;Update</source>
        <translation>&amp;Aktualisieren</translation>
    </message>
    <message>
        <source>Comment on the change as a whole (comments on a line: C in Changes)</source>
        <translation>Die Änderung als Ganzes kommentieren (Kommentare zu einer Zeile: C unter Änderungen)</translation>
    </message>
    <message numerus="yes">
        <source>Apply &amp;decisions (%n rejected)</source>
        <translation>
            <numerusform>&amp;Entscheidungen anwenden (%n abgelehnt)</numerusform>
            <numerusform>&amp;Entscheidungen anwenden (%n abgelehnt)</numerusform>
        </translation>
    </message>
    <message>
        <source>Make the next revision without the rejected hunks and files, and test it (reject with X in Changes, a whole file with Shift+X)</source>
        <translation>Die nächste Revision ohne die abgelehnten Hunks und Dateien erstellen und testen (ablehnen mit X unter Änderungen, eine ganze Datei mit Umschalt+X)</translation>
    </message>
    <message>
        <source>Send the open comments (%1) and the rejected hunks to the goal&apos;s agent; its answer becomes the next revision, tested</source>
        <translation>Die offenen Kommentare (%1) und die abgelehnten Hunks an den Agenten des Ziels senden; seine Antwort wird die nächste Revision, getestet</translation>
    </message>
    <message>
        <source>&amp;Update onto %1</source>
        <translation>Auf %1 &amp;aktualisieren</translation>
    </message>
    <message>
        <source>%1 moved to %2 since this change was made on %3: replay the change onto it as a new revision and test it</source>
        <translation>%1 ist auf %2 weitergegangen, seit diese Änderung auf %3 entstand: die Änderung als neue Revision darauf übertragen und testen</translation>
    </message>
    <message>
        <source>The change is on the target&apos;s head</source>
        <translation>Die Änderung liegt auf dem Kopf des Ziels</translation>
    </message>
    <message>
        <source>Left out of revision %1</source>
        <translation>In Revision %1 ausgelassen</translation>
    </message>
    <message>
        <source>%1 (the whole file)</source>
        <translation>%1 (die ganze Datei)</translation>
    </message>
    <message>
        <source>Restore them as a new revision</source>
        <translation>Als neue Revision wiederherstellen</translation>
    </message>
    <message>
        <source>Comments</source>
        <translation>Kommentare</translation>
    </message>
    <message>
        <source>the change</source>
        <translation>die Änderung</translation>
    </message>
    <message>
        <source> (base)</source>
        <translation> (Basis)</translation>
    </message>
    <message>
        <source>outdated: its line changed</source>
        <translation>veraltet: seine Zeile hat sich geändert</translation>
    </message>
    <message>
        <source>sent; answered by revision %1</source>
        <translation>gesendet; beantwortet mit Revision %1</translation>
    </message>
    <message>
        <source>resolved by %1</source>
        <translation>erledigt von %1</translation>
    </message>
    <message>
        <source>open</source>
        <translation>offen</translation>
    </message>
    <message>
        <source>reopen</source>
        <translation>wieder öffnen</translation>
    </message>
    <message>
        <source>resolve</source>
        <translation>erledigt</translation>
    </message>
    <message>
        <source>#%1 · revision %2</source>
        <translation>#%1 · Revision %2</translation>
    </message>
    <message>
        <source>conflict with the target</source>
        <translation>Konflikt mit dem Ziel</translation>
    </message>
    <message>
        <source>Approved by</source>
        <translation>Freigegeben von</translation>
    </message>
    <message>
        <source>%1 (%2 of %3 needed)</source>
        <translation>%1 (%2 von %3 nötigen)</translation>
    </message>
    <message>
        <source>nobody yet</source>
        <translation>noch niemandem</translation>
    </message>
    <message>
        <source>Reviewers asked</source>
        <translation>Um Prüfung gebeten</translation>
    </message>
    <message>
        <source>%1 is beyond the scope of the change (see Scope).</source>
        <translation>%1 liegt außerhalb des Umfangs der Änderung (siehe Umfang).</translation>
    </message>
    <message>
        <source>the goal</source>
        <translation>das Ziel</translation>
    </message>
    <message>
        <source>read by the plan</source>
        <translation>vom Plan gelesen</translation>
    </message>
    <message>
        <source>named on import</source>
        <translation>beim Import genannt</translation>
    </message>
    <message>
        <source>a review comment</source>
        <translation>ein Review-Kommentar</translation>
    </message>
    <message>
        <source>Not recorded: this change was made before scopes were kept.</source>
        <translation>Nicht festgehalten: Diese Änderung entstand, bevor Umfänge festgehalten wurden.</translation>
    </message>
    <message>
        <source>No scope to check: goal #%1 names no files (it was added without --files), so no file is flagged as beyond it.</source>
        <translation>Kein Umfang zu prüfen: Ziel #%1 nennt keine Dateien (es wurde ohne --files angelegt), daher wird keine Datei als außerhalb markiert.</translation>
    </message>
    <message>
        <source>⚠ No stated scope: this change was imported without --files, for a goal that names no files. Nothing says which files it should touch: read every file.</source>
        <translation>⚠ Kein angegebener Umfang: Diese Änderung wurde ohne --files importiert, für ein Ziel, das keine Dateien nennt. Nichts sagt, welche Dateien sie berühren soll: Lesen Sie jede Datei.</translation>
    </message>
    <message>
        <source>Asked to change: %1</source>
        <translation>Beauftragt, zu ändern: %1</translation>
    </message>
    <message>
        <source>Every changed file is in scope.</source>
        <translation>Jede geänderte Datei liegt im Umfang.</translation>
    </message>
    <message>
        <source>⚠ Beyond its scope: %1, %2</source>
        <translation>⚠ Außerhalb ihres Umfangs: %1, %2</translation>
    </message>
    <message numerus="yes">
        <source>%n file(s)</source>
        <translation>
            <numerusform>%n Datei</numerusform>
            <numerusform>%n Dateien</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n changed line(s)</source>
        <translation>
            <numerusform>%n geänderte Zeile</numerusform>
            <numerusform>%n geänderte Zeilen</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 (+%2 −%3)</source>
        <translation>%1 (+%2 −%3)</translation>
    </message>
    <message>
        <source>Scope</source>
        <translation>Umfang</translation>
    </message>
    <message>
        <source>No stated scope: read every file (see Scope).</source>
        <translation>Kein angegebener Umfang: Lesen Sie jede Datei (siehe Umfang).</translation>
    </message>
    <message>
        <source>No scope to check: goal #%1 names no files (its evidence points to none), so no file is flagged as beyond it.</source>
        <translation>Kein Umfang zu prüfen: Ziel #%1 nennt keine Dateien (seine Belege verweisen auf keine), daher wird keine Datei als außerhalb markiert.</translation>
    </message>
</context>
<context>
    <name>astra::Revisions</name>
    <message>
        <source>Reading the object id &apos;%1&apos;</source>
        <translation>Die Objekt-ID „%1“ wird gelesen</translation>
    </message>
    <message>
        <source>Reading %1</source>
        <translation>%1 wird gelesen</translation>
    </message>
    <message>
        <source>Writing the tree of the accepted hunks</source>
        <translation>Der Baum der angenommenen Hunks wird geschrieben</translation>
    </message>
    <message>
        <source>Replaying %1 onto %2</source>
        <translation>%1 wird auf %2 übertragen</translation>
    </message>
    <message>
        <source>Writing the replayed tree</source>
        <translation>Der übertragene Baum wird geschrieben</translation>
    </message>
    <message>
        <source>Reading the conflicts</source>
        <translation>Die Konflikte werden gelesen</translation>
    </message>
    <message>
        <source>Comparing both sides of %1</source>
        <translation>Beide Seiten von %1 werden verglichen</translation>
    </message>
    <message>
        <source>Keeping revision %1 of modification %2</source>
        <translation>Revision %1 von Modifikation %2 wird aufbewahrt</translation>
    </message>
    <message>
        <source>%1 already names another commit than revision %2 (%3); nothing was changed. Something other than Astra Review wrote it.</source>
        <translation>%1 nennt schon einen anderen Commit als Revision %2 (%3); nichts wurde geändert. Etwas anderes als Astra Review hat ihn geschrieben.</translation>
    </message>
    <message>
        <source>Listing the revisions of modification %1</source>
        <translation>Die Revisionen von Modifikation %1 werden aufgelistet</translation>
    </message>
    <message>
        <source>Removing %1</source>
        <translation>%1 wird entfernt</translation>
    </message>
    <message>
        <source>The branch %1 is no longer at %2 (someone moved it); nothing was changed.</source>
        <translation>Der Branch %1 steht nicht mehr auf %2 (jemand hat ihn bewegt); nichts wurde geändert.</translation>
    </message>
    <message>
        <source>Moving %1 to %2</source>
        <translation>%1 wird auf %2 bewegt</translation>
    </message>
    <message>
        <source>Applying the accepted hunks of %1 to %2: %3</source>
        <translation>Anwenden der angenommenen Hunks von %1 auf %2: %3</translation>
    </message>
</context>
<context>
    <name>astra::Sandbox</name>
    <message numerus="yes">
        <source>a trial run did not finish within %n second(s)</source>
        <translation>
            <numerusform>ein Probelauf wurde nicht innerhalb von %n Sekunde beendet</numerusform>
            <numerusform>ein Probelauf wurde nicht innerhalb von %n Sekunden beendet</numerusform>
        </translation>
    </message>
    <message>
        <source>a trial run failed with exit code %1</source>
        <translation>ein Probelauf ist mit Exit-Code %1 fehlgeschlagen</translation>
    </message>
    <message>
        <source>run as root, the sandbox drops to the user %1 with setpriv, which is not installed (Debian and Ubuntu: util-linux)</source>
        <translation>als root gestartet, wechselt die Sandbox mit setpriv zum Benutzer %1, und setpriv ist nicht installiert (Debian und Ubuntu: util-linux)</translation>
    </message>
    <message>
        <source>the folder %1 above it cannot be entered by %2, the unprivileged user the sandbox runs as when started by root; use a folder under /tmp (TMPDIR) or let others enter %1 (chmod o+x)</source>
        <translation>der darüberliegende Ordner %1 kann von %2 nicht betreten werden, dem unprivilegierten Benutzer, als der die Sandbox läuft, wenn root sie startet; verwenden Sie einen Ordner unter /tmp (TMPDIR) oder erlauben Sie anderen, %1 zu betreten (chmod o+x)</translation>
    </message>
    <message>
        <source>its owner could not be changed to %1 (%2)</source>
        <translation>sein Eigentümer konnte nicht zu %1 geändert werden (%2)</translation>
    </message>
    <message>
        <source>the owner of %1 could not be changed to %2 (%3)</source>
        <translation>der Eigentümer von %1 konnte nicht zu %2 geändert werden (%3)</translation>
    </message>
    <message>
        <source>weaker isolation: no network or file system isolation, and a process that starts its own session escapes the kill at the timeout</source>
        <translation>schwächere Isolierung: keine Netzwerk- oder Dateisystemisolierung, und ein Prozess, der eine eigene Sitzung startet, entgeht dem Beenden beim Zeitlimit</translation>
    </message>
    <message>
        <source>none (sandbox = &quot;none&quot;: %1)</source>
        <translation>keine (sandbox = &quot;none&quot;: %1)</translation>
    </message>
    <message>
        <source>The command must run in the sandbox (%1 in [%2]), but bubblewrap (bwrap) is not on PATH, so nothing was run. Install bubblewrap (Debian and Ubuntu: sudo apt install bubblewrap; Fedora: sudo dnf install bubblewrap; Arch: sudo pacman -S bubblewrap), or set sandbox = &quot;none&quot; in [%2] to run without isolation (every such run is then marked unsandboxed).</source>
        <translation>Der Befehl muss in der Sandbox laufen (%1 in [%2]), aber bubblewrap (bwrap) ist nicht im PATH, also lief nichts. Installieren Sie bubblewrap (Debian und Ubuntu: sudo apt install bubblewrap; Fedora: sudo dnf install bubblewrap; Arch: sudo pacman -S bubblewrap), oder setzen Sie sandbox = &quot;none&quot; in [%2], um ohne Isolation zu laufen (jeder solche Lauf wird dann als ohne Sandbox markiert).</translation>
    </message>
    <message>
        <source>The command must run in the sandbox (%1 in [%4]), but %2 does not work here (%3), so nothing was run. Allow it to create user namespaces (sysctl kernel.unprivileged_userns_clone=1, user.max_user_namespaces &gt; 0), or set sandbox = &quot;none&quot; in [%4] to run without isolation (every such run is then marked unsandboxed).</source>
        <translation>Der Befehl muss in der Sandbox laufen (%1 in [%4]), aber %2 funktioniert hier nicht (%3), also lief nichts. Erlauben Sie das Anlegen von User-Namespaces (sysctl kernel.unprivileged_userns_clone=1, user.max_user_namespaces &gt; 0), oder setzen Sie sandbox = &quot;none&quot; in [%4], um ohne Isolation zu laufen (jeder solche Lauf wird dann als ohne Sandbox markiert).</translation>
    </message>
    <message>
        <source>The folder %1 does not exist; nothing was run.</source>
        <translation>Der Ordner %1 existiert nicht; nichts lief.</translation>
    </message>
    <message>
        <source>A sandboxed command may not run in the root folder; nothing was run.</source>
        <translation>Ein Befehl in der Sandbox darf nicht im Wurzelordner laufen; nichts lief.</translation>
    </message>
    <message>
        <source>No command was given; nothing was run.</source>
        <translation>Kein Befehl wurde angegeben; nichts lief.</translation>
    </message>
    <message>
        <source>The read-only path %1 for the sandbox is not an existing absolute path; nothing was run. Fix read_only in [%2].</source>
        <translation>Der schreibgeschützte Pfad %1 für die Sandbox ist kein existierender absoluter Pfad; nichts lief. Korrigieren Sie read_only in [%2].</translation>
    </message>
    <message>
        <source>The folder %1 cannot be given to the sandbox: %2. Nothing was run.</source>
        <translation>Der Ordner %1 kann der Sandbox nicht übergeben werden: %2. Nichts lief.</translation>
    </message>
    <message>
        <source>(with the host&apos;s network)</source>
        <translation>(mit dem Netzwerk des Rechners)</translation>
    </message>
    <message>
        <source>(this bubblewrap cannot bound the private /tmp: 0.7 or later can)</source>
        <translation>(dieses bubblewrap kann das private /tmp nicht begrenzen: ab 0.7 geht das)</translation>
    </message>
    <message>
        <source>(setsid is not installed: the timeout stops only the shell, not what it started; install util-linux)</source>
        <translation>(setsid ist nicht installiert: Das Zeitlimit beendet nur die Shell, nicht die von ihr gestarteten Prozesse; installieren Sie util-linux)</translation>
    </message>
    <message>
        <source>The command could not be started: %1.</source>
        <translation>Der Befehl konnte nicht gestartet werden: %1.</translation>
    </message>
    <message>
        <source>a scratch folder could not be made in %1 (%2)</source>
        <translation>ein Arbeitsordner konnte in %1 nicht angelegt werden (%2)</translation>
    </message>
    <message>
        <source>the scratch folder %1 could not be marked as this process&apos;s (%2)</source>
        <translation>der Arbeitsordner %1 konnte nicht als der dieses Prozesses markiert werden (%2)</translation>
    </message>
    <message>
        <source>the folder %1 could not be made</source>
        <translation>der Ordner %1 konnte nicht angelegt werden</translation>
    </message>
    <message>
        <source>some of its files could not be removed</source>
        <translation>einige seiner Dateien konnten nicht entfernt werden</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>uid %1, a user of its own</source>
        <translation>uid %1, ein eigener Benutzer</translation>
    </message>
    <message>
        <source>the scratch folder %1 could not be opened to %2 (%3)</source>
        <translation>der Arbeitsordner %1 konnte %2 nicht geöffnet werden (%3)</translation>
    </message>
    <message>
        <source>(as %1: started by root)</source>
        <translation>(als %1: von root gestartet)</translation>
    </message>
</context>
<context>
    <name>astra::Scheduler</name>
    <message>
        <source>Plan %1: %2</source>
        <translation>Plan %1: %2</translation>
    </message>
    <message>
        <source>No executor runs tasks of kind &apos;%1&apos;; this program runs: %2.</source>
        <translation>Kein Ausführer führt Aufgaben der Art &apos;%1&apos; aus; dieses Programm führt aus: %2.</translation>
    </message>
    <message>
        <source>The scheduler was given no way to open the workspace&apos;s state.</source>
        <translation>Dem Scheduler wurde kein Weg gegeben, den Zustand des Arbeitsbereichs zu öffnen.</translation>
    </message>
    <message>
        <source>Task %1: this worker&apos;s lease on it ran out while it ran, so its result was not recorded; the task runs again elsewhere.</source>
        <translation>Aufgabe %1: die Leihfrist dieses Workers lief ab, während sie lief; ihr Ergebnis wurde nicht festgehalten, und die Aufgabe läuft anderswo erneut.</translation>
    </message>
</context>
<context>
    <name>astra::SettingsDialog</name>
    <message>
        <source>Cannot read %1: %2</source>
        <translation>%1 kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <source>Cannot write %1: %2. Nothing was changed.</source>
        <translation>%1 kann nicht geschrieben werden: %2. Nichts wurde geändert.</translation>
    </message>
    <message>
        <source>Settings — %1</source>
        <translation>Einstellungen — %1</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Wird geladen …</translation>
    </message>
    <message>
        <source>&amp;Check</source>
        <translation>&amp;Prüfen</translation>
    </message>
    <message>
        <source>Not saved: %1</source>
        <translation>Nicht gespeichert: %1</translation>
    </message>
    <message>
        <source>The configuration is valid.</source>
        <translation>Die Konfiguration ist gültig.</translation>
    </message>
    <message>
        <source>The workspace&apos;s configuration (.astra.toml): policy, tests, jobs, proposers and the generator. It is checked before it is saved; see docs/configuration.md. Where the agent may write ([policy]) is read from the copy committed on the target branch: an edit of it counts once it is committed.</source>
        <translation>Die Konfiguration des Arbeitsbereichs (.astra.toml): Richtlinie, Tests, Jobs, Vorschlagende und Generator. Sie wird vor dem Speichern geprüft; siehe docs/configuration.md. Wo der Agent schreiben darf ([policy]), wird aus der auf dem Ziel-Branch committeten Fassung gelesen: Eine Änderung daran gilt, sobald sie committet ist.</translation>
    </message>
</context>
<context>
    <name>astra::Shared</name>
    <message numerus="yes">
        <source>%1: apply %n fix-it(s) in %2</source>
        <translation>
            <numerusform>%1: %n Korrektur in %2 anwenden</numerusform>
            <numerusform>%1: %n Korrekturen in %2 anwenden</numerusform>
        </translation>
    </message>
    <message>
        <source>Job %1 failed %2 times in the last %3</source>
        <translation>Job %1 ist in den letzten %3 %2-mal fehlgeschlagen</translation>
    </message>
    <message numerus="yes">
        <source>Job %1: %n test(s) fail: %2</source>
        <translation>
            <numerusform>Job %1: %n Test schlägt fehl: %2</numerusform>
            <numerusform>Job %1: %n Tests schlagen fehl: %2</numerusform>
        </translation>
    </message>
    <message>
        <source>the path policy of .astra.toml lets the agent change %1 of its %2 files; not: %3</source>
        <translation>die Pfadrichtlinie in .astra.toml erlaubt dem Agenten, %1 seiner %2 Dateien zu ändern; nicht: %3</translation>
    </message>
    <message>
        <source>no proposer that can run here is configured ([proposer] kind) and the evidence has no fix-its</source>
        <translation>kein hier lauffähiger Proposer ist konfiguriert ([proposer] kind), und die Belege enthalten keine Fix-its</translation>
    </message>
    <message>
        <source>no test command is configured ([tests] command)</source>
        <translation>kein Testbefehl ist konfiguriert ([tests] command)</translation>
    </message>
    <message>
        <source>no plan can carry it out with the capabilities configured now: %1%2</source>
        <translation>kein Plan kann es mit den jetzt konfigurierten Fähigkeiten ausführen: %1%2</translation>
    </message>
    <message>
        <source>confidence %1 is below [generator] min_confidence %2 (%3)</source>
        <translation>Konfidenz %1 liegt unter [generator] min_confidence %2 (%3)</translation>
    </message>
    <message>
        <source>%1 goals were generated today; [generator] max_goals_per_day is %2</source>
        <translation>heute wurden %1 Ziele erzeugt; [generator] max_goals_per_day ist %2</translation>
    </message>
    <message>
        <source>the %1 detector made %2 goals today; [generator] max_goals_per_detector_per_day is %3</source>
        <translation>der Detektor %1 hat heute %2 Ziele erzeugt; [generator] max_goals_per_detector_per_day ist %3</translation>
    </message>
    <message>
        <source>goal %1 about the same thing is open (&apos;%2&apos;)</source>
        <translation>Ziel %1 zum selben Thema ist offen (&apos;%2&apos;)</translation>
    </message>
    <message>
        <source>every file of the evidence is forbidden by the path policy: %1</source>
        <translation>jede Datei der Belege ist durch die Pfadrichtlinie verboten: %1</translation>
    </message>
    <message>
        <source>principle &apos;%1&apos; denies %2 (deny_paths %3)</source>
        <translation>Grundsatz &apos;%1&apos; verbietet %2 (deny_paths %3)</translation>
    </message>
    <message>
        <source>principle &apos;%1&apos; denies goals whose text matches %2</source>
        <translation>Grundsatz &apos;%1&apos; verbietet Ziele, deren Text auf %2 passt</translation>
    </message>
    <message>
        <source>passed: confidence, rate limits, duplicates, principles, feasibility</source>
        <translation>bestanden: Konfidenz, Mengenbegrenzung, Duplikate, Grundsätze, Durchführbarkeit</translation>
    </message>
    <message>
        <source>auto-approved: confidence %1 &gt;= %2</source>
        <translation>automatisch genehmigt: Konfidenz %1 &gt;= %2</translation>
    </message>
    <message>
        <source>[generator] auto_approve_plans: the goal was auto-approved</source>
        <translation>[generator] auto_approve_plans: Das Ziel wurde automatisch genehmigt</translation>
    </message>
    <message>
        <source>the steps and files are what this change needs</source>
        <translation>die Schritte und Dateien sind, was diese Änderung braucht</translation>
    </message>
    <message>
        <source>worth doing</source>
        <translation>lohnt sich</translation>
    </message>
    <message>
        <source>Bytes alone are hard to read in the job log: log a human-readable size (KiB, MiB) and the number of files instead.</source>
        <translation>Reine Bytes sind im Job-Log schwer zu lesen: stattdessen eine lesbare Größe (KiB, MiB) und die Zahl der Dateien protokollieren.</translation>
    </message>
    <message>
        <source>will be asked again with the format spelled out</source>
        <translation>wird mit ausformuliertem Format erneut angefragt</translation>
    </message>
    <message>
        <source>small, tested, and what the goal asked</source>
        <translation>klein, getestet und das, was das Ziel verlangte</translation>
    </message>
    <message>
        <source>Out of scope: snapback stays pure Python so that it runs wherever python3 does.</source>
        <translation>Außerhalb des Rahmens: snapback bleibt reines Python, damit es überall läuft, wo python3 läuft.</translation>
    </message>
    <message>
        <source>Review an imported change</source>
        <translation>Eine importierte Änderung prüfen</translation>
    </message>
    <message>
        <source>Review an imported patch</source>
        <translation>Importierten Patch prüfen</translation>
    </message>
    <message>
        <source>Changes from branch %1</source>
        <translation>Änderungen aus Branch %1</translation>
    </message>
    <message>
        <source>Imported from branch %1 (its changes since %2).</source>
        <translation>Aus Branch %1 importiert (seine Änderungen seit %2).</translation>
    </message>
    <message>
        <source>skipped: task %1 %2</source>
        <translation>übersprungen: Aufgabe %1 %2</translation>
    </message>
    <message>
        <source>task %1 was cancelled before it started</source>
        <translation>Aufgabe %1 wurde vor ihrem Start abgebrochen</translation>
    </message>
    <message>
        <source>goal %1 is &apos;%2&apos;</source>
        <translation>Ziel %1 ist im Zustand &apos;%2&apos;</translation>
    </message>
    <message>
        <source>attempt %1 running</source>
        <translation>Versuch %1 läuft</translation>
    </message>
    <message>
        <source>plan %1 started</source>
        <translation>Plan %1 gestartet</translation>
    </message>
    <message>
        <source>stopped after its timeout of %1 s: %2</source>
        <translation>nach Ablauf der Zeitgrenze von %1 s angehalten: %2</translation>
    </message>
    <message>
        <source>cancelled: %1</source>
        <translation>abgebrochen: %1</translation>
    </message>
    <message>
        <source>attempt %1 of %2 failed, retry after %3: %4</source>
        <translation>Versuch %1 von %2 fehlgeschlagen, neuer Versuch nach %3: %4</translation>
    </message>
    <message>
        <source>task %1 (%2) %3: %4</source>
        <translation>Aufgabe %1 (%2) %3: %4</translation>
    </message>
    <message>
        <source>the process running it (%1) died</source>
        <translation>der ausführende Prozess (%1) ist beendet</translation>
    </message>
    <message>
        <source>requeued: %1</source>
        <translation>erneut eingereiht: %1</translation>
    </message>
    <message>
        <source>failed: %1, and it had used its %2 attempts</source>
        <translation>fehlgeschlagen: %1, und alle %2 Versuche waren verbraucht</translation>
    </message>
    <message>
        <source>%1 does not exist at %2 yet</source>
        <translation>%1 existiert in %2 noch nicht</translation>
    </message>
    <message numerus="yes">
        <source>read %1 (%n byte(s)) at %2</source>
        <translation>
            <numerusform>%1 gelesen (%n Byte) in %2</numerusform>
            <numerusform>%1 gelesen (%n Bytes) in %2</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>the %1 proposer changed %n file(s)</source>
        <translation>
            <numerusform>der Vorschlagsgeber %1 hat %n Datei geändert</numerusform>
            <numerusform>der Vorschlagsgeber %1 hat %n Dateien geändert</numerusform>
        </translation>
    </message>
    <message>
        <source>modification %1 was already written</source>
        <translation>Änderung %1 war bereits geschrieben</translation>
    </message>
    <message numerus="yes">
        <source>modification %1 on %2 (%n file(s))</source>
        <translation>
            <numerusform>Änderung %1 auf %2 (%n Datei)</numerusform>
            <numerusform>Änderung %1 auf %2 (%n Dateien)</numerusform>
        </translation>
    </message>
    <message>
        <source>tests passed on %1</source>
        <translation>Tests auf %1 erfolgreich</translation>
    </message>
    <message>
        <source>modification %1 awaits review</source>
        <translation>Änderung %1 wartet auf Prüfung</translation>
    </message>
    <message>
        <source>the lease of %1 on it ran out at %2</source>
        <translation>die Leihfrist von %1 darauf lief um %2 ab</translation>
    </message>
</context>
<context>
    <name>astra::ShortcutsDialog</name>
    <message>
        <source>Everywhere</source>
        <translation>Überall</translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>Tastenkürzel</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Aktion</translation>
    </message>
    <message>
        <source>Keys</source>
        <translation>Tasten</translation>
    </message>
    <message>
        <source>Where</source>
        <translation>Wo</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>&amp;Assign</source>
        <translation>&amp;Zuweisen</translation>
    </message>
    <message>
        <source>&amp;Default</source>
        <translation>&amp;Standard</translation>
    </message>
    <message>
        <source>Press the new keys for “%1”, then Assign. Default: %2.</source>
        <translation>Drücken Sie die neuen Tasten für „%1“, dann Zuweisen. Standard: %2.</translation>
    </message>
    <message>
        <source>This shortcut is fixed.</source>
        <translation>Dieses Tastenkürzel ist fest.</translation>
    </message>
    <message>
        <source>Keys:</source>
        <translation>Tasten:</translation>
    </message>
    <message>
        <source>%1 is already the shortcut of %2 there; nothing was changed. Choose other keys, or give that action other keys first.</source>
        <translation>%1 ist dort schon das Tastenkürzel von %2; nichts wurde geändert. Wählen Sie andere Tasten oder geben Sie zuerst jener Aktion andere.</translation>
    </message>
    <message>
        <source>%1 has no shortcut now.</source>
        <translation>%1 hat jetzt kein Tastenkürzel.</translation>
    </message>
    <message>
        <source>%1 is now %2.</source>
        <translation>%1 ist jetzt %2.</translation>
    </message>
    <message>
        <source>%1 and %2 had the same keys (%3): %1 has none now. Help → Keyboard shortcuts assigns it others.</source>
        <translation>%1 und %2 hatten dieselben Tasten (%3): %1 hat jetzt keine. Hilfe → Tastenkürzel weist andere zu.</translation>
    </message>
</context>
<context>
    <name>astra::StateMachine</name>
    <message>
        <source>none: &apos;%1&apos; is final</source>
        <translation>keine: &apos;%1&apos; ist ein Endzustand</translation>
    </message>
</context>
<context>
    <name>astra::StatusPage</name>
    <message>
        <source>Branch:</source>
        <translation>Branch:</translation>
    </message>
    <message>
        <source>State:</source>
        <translation>Zustand:</translation>
    </message>
    <message>
        <source>Configuration:</source>
        <translation>Konfiguration:</translation>
    </message>
    <message>
        <source>Awaiting review:</source>
        <translation>Wartet auf Prüfung:</translation>
    </message>
    <message>
        <source>Scheduler:</source>
        <translation>Scheduler:</translation>
    </message>
    <message>
        <source>Audit ledger:</source>
        <translation>Prüfprotokoll:</translation>
    </message>
    <message>
        <source>Highlighting:</source>
        <translation>Syntaxhervorhebung:</translation>
    </message>
    <message>
        <source>Goals by state</source>
        <translation>Ziele nach Zustand</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <source>Goals</source>
        <translation>Ziele</translation>
    </message>
    <message>
        <source>Opening %1…</source>
        <translation>%1 wird geöffnet…</translation>
    </message>
    <message>
        <source>%1 (changes merge into %2)</source>
        <translation>%1 (Änderungen werden in %2 gemergt)</translation>
    </message>
    <message>
        <source>detached HEAD</source>
        <translation>losgelöster HEAD</translation>
    </message>
    <message>
        <source>%1, schema version %2</source>
        <translation>%1, Schemaversion %2</translation>
    </message>
    <message>
        <source>defaults (the repository has no .astra.toml)</source>
        <translation>Standardwerte (das Repository hat keine .astra.toml)</translation>
    </message>
    <message numerus="yes">
        <source>%n modification(s)</source>
        <translation>
            <numerusform>%n Änderung</numerusform>
            <numerusform>%n Änderungen</numerusform>
        </translation>
    </message>
    <message>
        <source>%1: %2 queued, %3 running</source>
        <translation>%1: %2 in der Warteschlange, %3 laufend</translation>
    </message>
    <message>
        <source>running</source>
        <translation>läuft</translation>
    </message>
    <message>
        <source>idle</source>
        <translation>im Leerlauf</translation>
    </message>
    <message numerus="yes">
        <source>%n entries</source>
        <translation>
            <numerusform>%n Eintrag</numerusform>
            <numerusform>%n Einträge</numerusform>
        </translation>
    </message>
    <message>
        <source>, head %1</source>
        <translation>, Kopf %1</translation>
    </message>
    <message>
        <source>Refused by the goal generator</source>
        <translation>Vom Zielgenerator abgelehnt</translation>
    </message>
    <message>
        <source>refused by the %1 check: %2</source>
        <translation>abgelehnt von der Prüfung %1: %2</translation>
    </message>
    <message>
        <source>Nothing refused yet.</source>
        <translation>Noch nichts abgelehnt.</translation>
    </message>
    <message numerus="yes">
        <source>; %n task(s) wait for their plan&apos;s approval</source>
        <translation>
            <numerusform>; %n Aufgabe wartet auf die Freigabe ihres Plans</numerusform>
            <numerusform>; %n Aufgaben warten auf die Freigabe ihres Plans</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>astra::TaskQueueModel</name>
    <message>
        <source>queued</source>
        <translation>wartend</translation>
    </message>
    <message>
        <source>running</source>
        <translation>läuft</translation>
    </message>
    <message>
        <source>succeeded</source>
        <translation>erfolgreich</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>fehlgeschlagen</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>abgebrochen</translation>
    </message>
    <message>
        <source>skipped</source>
        <translation>übersprungen</translation>
    </message>
    <message numerus="yes">
        <source>plan %1: %2 of %n task(s) done</source>
        <translation>
            <numerusform>Plan %1: %2 von %n Aufgabe erledigt</numerusform>
            <numerusform>Plan %1: %2 von %n Aufgaben erledigt</numerusform>
        </translation>
    </message>
    <message>
        <source>#%1</source>
        <translation>#%1</translation>
    </message>
    <message>
        <source>%1 %2</source>
        <translation>%1 %2</translation>
    </message>
    <message>
        <source>%1, cancel requested</source>
        <translation>%1, Abbruch angefordert</translation>
    </message>
    <message>
        <source>%1/%2</source>
        <translation>%1/%2</translation>
    </message>
    <message>
        <source>Task</source>
        <translation>Aufgabe</translation>
    </message>
    <message>
        <source>Goal</source>
        <translation>Ziel</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Aktion</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <source>Plan progress</source>
        <translation>Planfortschritt</translation>
    </message>
    <message>
        <source>Attempts</source>
        <translation>Versuche</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>Ergebnis</translation>
    </message>
    <message>
        <source>Updated (UTC)</source>
        <translation>Aktualisiert (UTC)</translation>
    </message>
    <message>
        <source>waiting for plan approval</source>
        <translation>wartet auf Freigabe des Plans</translation>
    </message>
    <message>
        <source>running for %1</source>
        <translation>läuft seit %1</translation>
    </message>
</context>
<context>
    <name>astra::TaskQueueView</name>
    <message>
        <source>&amp;Queued and running only</source>
        <translation>Nur &amp;wartende und laufende</translation>
    </message>
    <message>
        <source>&amp;Cancel task</source>
        <translation>Aufgabe &amp;abbrechen</translation>
    </message>
    <message>
        <source>Cancel the selected task</source>
        <translation>Die gewählte Aufgabe abbrechen</translation>
    </message>
    <message>
        <source>A queued task does not start; a running one stops at its next check (%1)</source>
        <translation>Eine wartende Aufgabe startet nicht; eine laufende hält bei ihrer nächsten Prüfung an (%1)</translation>
    </message>
    <message numerus="yes">
        <source>%n task(s) running</source>
        <translation>
            <numerusform>%n Aufgabe läuft</numerusform>
            <numerusform>%n Aufgaben laufen</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n queued</source>
        <translation>
            <numerusform>%n wartend</numerusform>
            <numerusform>%n wartend</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n in all</source>
        <translation>
            <numerusform>%n insgesamt</numerusform>
            <numerusform>%n insgesamt</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n waiting for plan approval</source>
        <translation>
            <numerusform>%n wartet auf Freigabe des Plans</numerusform>
            <numerusform>%n warten auf Freigabe des Plans</numerusform>
        </translation>
    </message>
    <message>
        <source>Select a task to see its log.</source>
        <translation>Wählen Sie eine Aufgabe, um ihr Protokoll zu sehen.</translation>
    </message>
    <message>
        <source>Log of task %1: loading…</source>
        <translation>Protokoll der Aufgabe %1: wird geladen…</translation>
    </message>
    <message>
        <source>Log of task %1, as it runs:</source>
        <translation>Protokoll der Aufgabe %1, während sie läuft:</translation>
    </message>
    <message>
        <source>Log of task %1:</source>
        <translation>Protokoll der Aufgabe %1:</translation>
    </message>
    <message>
        <source>Nothing written yet.</source>
        <translation>Noch nichts geschrieben.</translation>
    </message>
    <message>
        <source>This task wrote no log.</source>
        <translation>Diese Aufgabe hat kein Protokoll geschrieben.</translation>
    </message>
</context>
<context>
    <name>astra::TaskRepository</name>
    <message>
        <source>Reading task %1</source>
        <translation>Lesen von Aufgabe %1</translation>
    </message>
    <message>
        <source>Task %1 does not exist; `astra tasks` lists them.</source>
        <translation>Aufgabe %1 existiert nicht; `astra tasks` listet die Aufgaben auf.</translation>
    </message>
    <message>
        <source>Reading the tasks of plan %1</source>
        <translation>Lesen der Aufgaben von Plan %1</translation>
    </message>
    <message>
        <source>Listing tasks</source>
        <translation>Auflisten der Aufgaben</translation>
    </message>
    <message>
        <source>Looking for tasks to run</source>
        <translation>Suche nach auszuführenden Aufgaben</translation>
    </message>
    <message>
        <source>Counting running tasks</source>
        <translation>Zählen laufender Aufgaben</translation>
    </message>
    <message>
        <source>Updating task %1</source>
        <translation>Aktualisieren von Aufgabe %1</translation>
    </message>
    <message>
        <source>Task %1 was changed by someone else since it was read (version %2); nothing was written.</source>
        <translation>Aufgabe %1 wurde seit dem Lesen von jemand anderem geändert (Version %2); es wurde nichts geschrieben.</translation>
    </message>
    <message>
        <source>Skipping the rest of plan %1</source>
        <translation>Überspringen des restlichen Plans %1</translation>
    </message>
    <message>
        <source>Cancelling task %1</source>
        <translation>Abbrechen von Aufgabe %1</translation>
    </message>
    <message>
        <source>Task %1 does not exist.</source>
        <translation>Aufgabe %1 existiert nicht.</translation>
    </message>
    <message>
        <source>Recording a task run</source>
        <translation>Verzeichnen eines Aufgabenlaufs</translation>
    </message>
    <message>
        <source>Recording a task run returned no id</source>
        <translation>Das Verzeichnen eines Aufgabenlaufs lieferte keine ID</translation>
    </message>
    <message>
        <source>Finishing task run %1</source>
        <translation>Abschließen von Aufgabenlauf %1</translation>
    </message>
    <message>
        <source>Task run %1 is not running any more; nothing was written.</source>
        <translation>Aufgabenlauf %1 läuft nicht mehr; es wurde nichts geschrieben.</translation>
    </message>
    <message>
        <source>Reading the runs of task %1</source>
        <translation>Lesen der Läufe von Aufgabe %1</translation>
    </message>
    <message>
        <source>Reading the runs of job %1</source>
        <translation>Lesen der Läufe von Job %1</translation>
    </message>
    <message>
        <source>Reading unfinished job runs</source>
        <translation>Lesen unvollendeter Jobläufe</translation>
    </message>
    <message>
        <source>Reading the runs of the tasks of plan %1</source>
        <translation>Lesen der Läufe der Aufgaben von Plan %1</translation>
    </message>
    <message>
        <source>Recording the log of task run %1</source>
        <translation>Das Protokoll des Aufgabenlaufs %1 festhalten</translation>
    </message>
    <message>
        <source>Claiming task %1</source>
        <translation>Aufgabe %1 übernehmen</translation>
    </message>
    <message>
        <source>Starting the lease of task %1</source>
        <translation>Die Leihfrist von Aufgabe %1 beginnen</translation>
    </message>
    <message>
        <source>Task %1 changed while it was being claimed; nothing was written.</source>
        <translation>Aufgabe %1 änderte sich, während sie übernommen wurde; es wurde nichts geschrieben.</translation>
    </message>
    <message>
        <source>Renewing the lease of task %1</source>
        <translation>Die Leihfrist von Aufgabe %1 erneuern</translation>
    </message>
    <message>
        <source>Looking for tasks whose lease ran out</source>
        <translation>Aufgaben mit abgelaufener Leihfrist suchen</translation>
    </message>
    <message>
        <source>Checking the claim on task %1</source>
        <translation>Den Anspruch auf Aufgabe %1 prüfen</translation>
    </message>
    <message>
        <source>Task %1 does not exist; nothing was written for it.</source>
        <translation>Aufgabe %1 existiert nicht; für sie wurde nichts geschrieben.</translation>
    </message>
    <message>
        <source>Task %1 is no longer held by %2 (its lease ran out and it was taken back, or it ended); nothing was written for it.</source>
        <translation>Aufgabe %1 gehört nicht mehr %2 (ihre Leihfrist lief ab und sie wurde zurückgenommen, oder sie endete); für sie wurde nichts geschrieben.</translation>
    </message>
    <message>
        <source>The lease of %1 on task %2 ran out; nothing was written for it, and the task will be run again.</source>
        <translation>Die Leihfrist von %1 auf Aufgabe %2 lief ab; für sie wurde nichts geschrieben, und die Aufgabe läuft erneut.</translation>
    </message>
</context>
<context>
    <name>astra::TestReport</name>
    <message>
        <source>The report is not JUnit XML: its root element is &lt;%1&gt;, not &lt;testsuites&gt; or &lt;testsuite&gt;.</source>
        <translation>Der Bericht ist kein JUnit-XML: Sein Wurzelelement ist &lt;%1&gt;, nicht &lt;testsuites&gt; oder &lt;testsuite&gt;.</translation>
    </message>
    <message>
        <source>The JUnit report is not well-formed XML (line %1, column %2): %3.</source>
        <translation>Der JUnit-Bericht ist kein wohlgeformtes XML (Zeile %1, Spalte %2): %3.</translation>
    </message>
    <message>
        <source>The JUnit report is empty.</source>
        <translation>Der JUnit-Bericht ist leer.</translation>
    </message>
    <message>
        <source>The JUnit report lists no test cases: the command found or ran no tests.</source>
        <translation>Der JUnit-Bericht führt keine Testfälle auf: Der Befehl hat keine Tests gefunden oder ausgeführt.</translation>
    </message>
    <message>
        <source>CTest found no tests (&quot;No tests were found&quot;).</source>
        <translation>CTest hat keine Tests gefunden (&quot;No tests were found&quot;).</translation>
    </message>
    <message>
        <source>The output holds no CTest summary (&quot;N% tests passed, F tests failed out of T&quot;): the command did not run ctest, or stopped before it finished.</source>
        <translation>Die Ausgabe enthält keine CTest-Zusammenfassung (&quot;N% tests passed, F tests failed out of T&quot;): Der Befehl hat ctest nicht ausgeführt oder wurde vor dessen Ende beendet.</translation>
    </message>
    <message>
        <source>CTest ran no tests (&quot;out of 0&quot;).</source>
        <translation>CTest hat keine Tests ausgeführt (&quot;out of 0&quot;).</translation>
    </message>
    <message>
        <source>The output holds no pytest summary line (&quot;== 2 failed, 10 passed in 0.12s ==&quot;): the command did not run pytest, or pytest stopped before it finished.</source>
        <translation>Die Ausgabe enthält keine pytest-Zusammenfassungszeile (&quot;== 2 failed, 10 passed in 0.12s ==&quot;): Der Befehl hat pytest nicht ausgeführt, oder pytest wurde vor seinem Ende beendet.</translation>
    </message>
    <message>
        <source>pytest ran no tests (&quot;%1&quot;).</source>
        <translation>pytest hat keine Tests ausgeführt (&quot;%1&quot;).</translation>
    </message>
</context>
<context>
    <name>astra::TestRunner</name>
    <message>
        <source>The test report setting &quot;%1&quot; is not one of junit:PATH, ctest or pytest; nothing was run. Fix report in [tests].</source>
        <translation>Die Testbericht-Einstellung &quot;%1&quot; ist keiner der Werte junit:PATH, ctest oder pytest; es wurde nichts ausgeführt. Korrigieren Sie report in [tests].</translation>
    </message>
    <message>
        <source>The JUnit report path &quot;%1&quot; is refused: it must be relative to the test folder and stay inside it (not empty, not absolute, no &quot;..&quot;); nothing was run. Fix report in [tests].</source>
        <translation>Der JUnit-Berichtspfad &quot;%1&quot; wird abgelehnt: Er muss relativ zum Testordner sein und darin bleiben (nicht leer, nicht absolut, kein &quot;..&quot;); es wurde nichts ausgeführt. Korrigieren Sie report in [tests].</translation>
    </message>
    <message>
        <source>The command wrote no JUnit report at %1.</source>
        <translation>Der Befehl hat keinen JUnit-Bericht unter %1 geschrieben.</translation>
    </message>
    <message>
        <source>The JUnit report %1 leads outside the test folder (a symlink to %2); it was not read.</source>
        <translation>Der JUnit-Bericht %1 führt aus dem Testordner hinaus (ein symbolischer Link auf %2); er wurde nicht gelesen.</translation>
    </message>
    <message>
        <source>The JUnit report %1 is not a regular file; it was not read.</source>
        <translation>Der JUnit-Bericht %1 ist keine reguläre Datei; er wurde nicht gelesen.</translation>
    </message>
    <message>
        <source>The JUnit report %1 is larger than %2 MB; it was not read.</source>
        <translation>Der JUnit-Bericht %1 ist größer als %2 MB; er wurde nicht gelesen.</translation>
    </message>
    <message>
        <source>The JUnit report %1 could not be read: %2.</source>
        <translation>Der JUnit-Bericht %1 konnte nicht gelesen werden: %2.</translation>
    </message>
    <message>
        <source>[The output was cut at %1 bytes: %2 more bytes were dropped.]</source>
        <translation>[Die Ausgabe wurde bei %1 Byte abgeschnitten: %2 weitere Byte wurden verworfen.]</translation>
    </message>
    <message numerus="yes">
        <source>%n second(s)</source>
        <translation>
            <numerusform>%n Sekunde</numerusform>
            <numerusform>%n Sekunden</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n failed</source>
        <translation>
            <numerusform>%n fehlgeschlagen</numerusform>
            <numerusform>%n fehlgeschlagen</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n error(s)</source>
        <translation>
            <numerusform>%n Fehler</numerusform>
            <numerusform>%n Fehler</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n passed</source>
        <translation>
            <numerusform>%n bestanden</numerusform>
            <numerusform>%n bestanden</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n skipped</source>
        <translation>
            <numerusform>%n übersprungen</numerusform>
            <numerusform>%n übersprungen</numerusform>
        </translation>
    </message>
    <message>
        <source>No test command is set; nothing was run. Set command in [tests].</source>
        <translation>Es ist kein Testbefehl festgelegt; es wurde nichts ausgeführt. Legen Sie command in [tests] fest.</translation>
    </message>
    <message>
        <source>The test timeout must be at least one second; nothing was run. Fix timeout_s in [tests].</source>
        <translation>Das Testzeitlimit muss mindestens eine Sekunde betragen; es wurde nichts ausgeführt. Korrigieren Sie timeout_s in [tests].</translation>
    </message>
    <message>
        <source>The test output file %1 could not be created (%2); nothing was run.</source>
        <translation>Die Testausgabedatei %1 konnte nicht angelegt werden (%2); es wurde nichts ausgeführt.</translation>
    </message>
    <message>
        <source>The tests did not finish within the timeout of %1 and were stopped, with every process they started.</source>
        <translation>Die Tests wurden nicht innerhalb des Zeitlimits von %1 beendet und samt aller von ihnen gestarteten Prozesse gestoppt.</translation>
    </message>
    <message>
        <source>The test command was killed by a signal before it exited.</source>
        <translation>Der Testbefehl wurde vor seinem Ende durch ein Signal abgebrochen.</translation>
    </message>
    <message>
        <source>The tests passed (exit code 0%1).</source>
        <translation>Die Tests waren erfolgreich (Exit-Code 0%1).</translation>
    </message>
    <message>
        <source>The tests failed (exit code %1%2).</source>
        <translation>Die Tests sind fehlgeschlagen (Exit-Code %1%2).</translation>
    </message>
    <message>
        <source>Exit code %1 means a command was not found or could not be run; in the sandbox only /usr, /etc and the test folder are visible.</source>
        <translation>Exit-Code %1 bedeutet, dass ein Befehl nicht gefunden wurde oder nicht ausgeführt werden konnte; in der Sandbox sind nur /usr, /etc und der Testordner sichtbar.</translation>
    </message>
    <message>
        <source>Exit code %1 means a command was not found or could not be run.</source>
        <translation>Exit-Code %1 bedeutet, dass ein Befehl nicht gefunden wurde oder nicht ausgeführt werden konnte.</translation>
    </message>
    <message>
        <source>The report was not used: %1</source>
        <translation>Der Bericht wurde nicht verwendet: %1</translation>
    </message>
    <message>
        <source>The output was cut at %1 bytes of %2.</source>
        <translation>Die Ausgabe wurde bei %1 von %2 Byte abgeschnitten.</translation>
    </message>
    <message>
        <source>The output could not be written to %1: %2.</source>
        <translation>Die Ausgabe konnte nicht nach %1 geschrieben werden: %2.</translation>
    </message>
    <message>
        <source>A write failed for lack of space (&quot;No space left on device&quot;). The sandbox&apos;s private /tmp and HOME hold %1 MiB: raise scratch_mb in [tests] if the tests need more.</source>
        <translation>Ein Schreibvorgang scheiterte an fehlendem Platz (&quot;No space left on device&quot;). Das private /tmp und HOME der Sandbox fassen %1 MiB: Erhöhen Sie scratch_mb in [tests], wenn die Tests mehr brauchen.</translation>
    </message>
    <message>
        <source>No test ran (exit code %1): %2 Check that [tests] command builds and finds the tests in a fresh copy of the change.</source>
        <translation>Kein Test lief (Exit-Code %1): %2 Prüfen Sie, dass [tests] command in einer frischen Kopie der Änderung baut und die Tests findet.</translation>
    </message>
</context>
<context>
    <name>astra::Transitions</name>
    <message>
        <source>Internal error: %1 must change state inside a write transaction; nothing was written</source>
        <translation>Interner Fehler: %1 muss seinen Zustand innerhalb einer Schreibtransaktion ändern; nichts wurde geschrieben</translation>
    </message>
    <message>
        <source>Plan %1 is &apos;%2&apos; and cannot move to &apos;%3&apos;. Legal next states from &apos;%2&apos;: %4.</source>
        <translation>Plan %1 ist im Zustand &apos;%2&apos; und kann nicht nach &apos;%3&apos; wechseln. Zulässige Folgezustände von &apos;%2&apos;: %4.</translation>
    </message>
    <message>
        <source>Internal error: task %1 moved to &apos;%2&apos; without naming the event</source>
        <translation>Interner Fehler: Aufgabe %1 wechselte nach &apos;%2&apos;, ohne das Ereignis zu nennen</translation>
    </message>
    <message>
        <source>Task %1 is &apos;%2&apos; and cannot move to &apos;%3&apos;. Legal next states from &apos;%2&apos;: %4.</source>
        <translation>Aufgabe %1 ist im Zustand &apos;%2&apos; und kann nicht nach &apos;%3&apos; wechseln. Zulässige Folgezustände von &apos;%2&apos;: %4.</translation>
    </message>
    <message>
        <source>Modification %1 is &apos;%2&apos; and cannot move to &apos;%3&apos;. Legal next states from &apos;%2&apos;: %4.</source>
        <translation>Änderung %1 ist im Zustand &apos;%2&apos; und kann nicht nach &apos;%3&apos; wechseln. Zulässige Folgezustände von &apos;%2&apos;: %4.</translation>
    </message>
</context>
<context>
    <name>astra::TreeDiff</name>
    <message>
        <source>Opening the object database</source>
        <translation>Öffnen der Objektdatenbank</translation>
    </message>
    <message>
        <source>Reading the changes of %1</source>
        <translation>Lesen der Änderungen von %1</translation>
    </message>
    <message>
        <source>Reading the parent of %1</source>
        <translation>Lesen des Elternteils von %1</translation>
    </message>
    <message>
        <source>Comparing %1 with its parent</source>
        <translation>Vergleich von %1 mit seinem Elternteil</translation>
    </message>
    <message>
        <source>Reading the status of the work tree</source>
        <translation>Lesen des Status des Arbeitsbaums</translation>
    </message>
    <message>
        <source>Comparing two trees</source>
        <translation>Zwei Bäume werden verglichen</translation>
    </message>
    <message>
        <source>Reading the blob %1</source>
        <translation>Lesen des Blobs %1</translation>
    </message>
</context>
<context>
    <name>astra::TreeExport</name>
    <message>
        <source>Cannot create %1</source>
        <translation>%1 kann nicht angelegt werden</translation>
    </message>
    <message>
        <source>Reading %1</source>
        <translation>Lesen von %1</translation>
    </message>
    <message>
        <source>Cannot create the symlink %1</source>
        <translation>Der symbolische Link %1 kann nicht angelegt werden</translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <source>Exporting %1</source>
        <translation>Exportieren von %1</translation>
    </message>
</context>
<context>
    <name>astra::Workspace</name>
    <message>
        <source>--repo %1: no such directory. Pass the path of a git repository.</source>
        <translation>--repo %1: Verzeichnis nicht vorhanden. Geben Sie den Pfad eines Git-Repositorys an.</translation>
    </message>
    <message>
        <source>%1 is a bare repository. Astra Review reads .astra.toml from a work tree: use a clone with a work tree.</source>
        <translation>%1 ist ein Bare-Repository. Astra Review liest .astra.toml aus einem Arbeitsverzeichnis: Verwenden Sie einen Klon mit Arbeitsverzeichnis.</translation>
    </message>
    <message>
        <source>%1 holds no Astra Review state yet. Run `astra init` in %2 to create it.</source>
        <translation>%1 enthält noch keinen Astra-Review-Zustand. Führen Sie `astra init` in %2 aus, um ihn anzulegen.</translation>
    </message>
    <message>
        <source>Internal error: the default configuration does not parse: %1</source>
        <translation>Interner Fehler: Die Standardkonfiguration lässt sich nicht einlesen: %1</translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <source>Cannot create the state directory %1</source>
        <translation>Das Zustandsverzeichnis %1 kann nicht angelegt werden</translation>
    </message>
    <message>
        <source>Counting modifications</source>
        <translation>Zählen der Änderungen</translation>
    </message>
    <message>
        <source>Counting tasks</source>
        <translation>Zählen der Aufgaben</translation>
    </message>
    <message>
        <source>A goal needs a title: `astra goal add &quot;what should change&quot; [--files PATH...]`.</source>
        <translation>Ein Ziel benötigt einen Titel: `astra goal add &quot;what should change&quot; [--files PATH...]`.</translation>
    </message>
    <message>
        <source>--files %1: a goal&apos;s files are paths relative to the repository root, inside it (e.g. src/parser.cpp).</source>
        <translation>--files %1: Die Dateien eines Ziels sind Pfade relativ zum Wurzelverzeichnis des Repositorys und liegen innerhalb davon (z. B. src/parser.cpp).</translation>
    </message>
    <message>
        <source>The ledger is empty; there is nothing to checkpoint yet.</source>
        <translation>Das Protokoll ist leer; es gibt noch nichts, wofür ein Prüfpunkt gesetzt werden kann.</translation>
    </message>
    <message>
        <source>The change was recorded, but the ledger checkpoint refs/astra/ledger could not be updated: %1</source>
        <translation>Die Änderung wurde protokolliert, aber der Protokoll-Prüfpunkt refs/astra/ledger konnte nicht aktualisiert werden: %1</translation>
    </message>
    <message>
        <source>Closing interrupted test runs</source>
        <translation>Abschließen unterbrochener Testläufe</translation>
    </message>
    <message>
        <source>Goal %1 is &apos;%2&apos;: a finished goal takes no new modifications.</source>
        <translation>Ziel %1 ist im Zustand &apos;%2&apos;: Ein abgeschlossenes Ziel nimmt keine neuen Änderungen an.</translation>
    </message>
    <message>
        <source>The path policy refused the patch; nothing was written:
%1</source>
        <translation>Die Pfadrichtlinie hat den Patch abgelehnt; es wurde nichts geschrieben:
%1</translation>
    </message>
    <message>
        <source>[tests] command is empty in %1: set the command that runs the tests before testing modifications.</source>
        <translation>[tests] command ist in %1 leer: Legen Sie den Befehl fest, der die Tests ausführt, bevor Änderungen getestet werden.</translation>
    </message>
    <message>
        <source>Modification %1 has no passing test run on its commit %2; nothing was merged.</source>
        <translation>Änderung %1 hat keinen erfolgreichen Testlauf auf ihrem Commit %2; es wurde nichts gemergt.</translation>
    </message>
    <message>
        <source>The branch %1 no longer points at the reviewed commit %2; nothing was merged.</source>
        <translation>Der Branch %1 zeigt nicht mehr auf den geprüften Commit %2; es wurde nichts gemergt.</translation>
    </message>
    <message>
        <source>Modification %1 conflicts with %2 in: %3. It is now &apos;conflicted&apos;; nothing was merged.</source>
        <translation>Änderung %1 steht in Konflikt mit %2 in: %3. Sie ist jetzt im Zustand &apos;conflicted&apos;; es wurde nichts gemergt.</translation>
    </message>
    <message>
        <source>Modification %1 is &apos;%2&apos;; only a merged modification can be rolled back.</source>
        <translation>Änderung %1 ist im Zustand &apos;%2&apos;; nur eine gemergte Änderung kann zurückgenommen werden.</translation>
    </message>
    <message>
        <source>Modification %1 cannot be rolled back cleanly: later commits on %2 changed %3. Nothing was changed; revert those first or resolve it by hand.</source>
        <translation>Änderung %1 kann nicht sauber zurückgenommen werden: Spätere Commits auf %2 haben %3 geändert. Es wurde nichts geändert; nehmen Sie diese zuerst zurück oder lösen Sie den Konflikt von Hand.</translation>
    </message>
    <message>
        <source>Plan %1 of goal %2 has started running; it cannot be replaced. Cancel its tasks first (`astra tasks`).</source>
        <translation>Plan %1 von Ziel %2 läuft bereits; er kann nicht ersetzt werden. Brechen Sie zuerst seine Aufgaben ab (`astra tasks`).</translation>
    </message>
    <message>
        <source>Goal %1 is &apos;%2&apos;: only an active goal, or a planned one whose plan has not started, can be planned. Approve a proposed goal first with `astra goal approve %1`.</source>
        <translation>Ziel %1 ist im Zustand &apos;%2&apos;: Nur ein aktives Ziel oder ein geplantes, dessen Plan noch nicht gestartet ist, kann geplant werden. Genehmigen Sie ein vorgeschlagenes Ziel zuerst mit `astra goal approve %1`.</translation>
    </message>
    <message>
        <source>replanned</source>
        <translation>neu geplant</translation>
    </message>
    <message>
        <source>the plan was replaced</source>
        <translation>der Plan wurde ersetzt</translation>
    </message>
    <message>
        <source>plan %1</source>
        <translation>Plan %1</translation>
    </message>
    <message>
        <source>Goal %1 has no plan (plan %2 records the attempt):
%3</source>
        <translation>Ziel %1 hat keinen Plan (Plan %2 verzeichnet den Versuch):
%3</translation>
    </message>
    <message>
        <source>Plan %1 of goal %2 is &apos;%3&apos;; only a proposed plan can be approved.</source>
        <translation>Plan %1 von Ziel %2 ist im Zustand &apos;%3&apos;; nur ein vorgeschlagener Plan kann genehmigt werden.</translation>
    </message>
    <message>
        <source>Goal %1 is &apos;%2&apos;; a plan is approved while its goal is planned.</source>
        <translation>Ziel %1 ist im Zustand &apos;%2&apos;; ein Plan wird genehmigt, solange sein Ziel geplant ist.</translation>
    </message>
    <message>
        <source>Recording the approval of plan %1</source>
        <translation>Verzeichnen der Genehmigung von Plan %1</translation>
    </message>
    <message>
        <source>Goal %1 has no plan yet; make one with `astra plan %1`.</source>
        <translation>Ziel %1 hat noch keinen Plan; erstellen Sie einen mit `astra plan %1`.</translation>
    </message>
    <message>
        <source>Task %1 is &apos;%2&apos; already; only a queued or running task can be cancelled.</source>
        <translation>Aufgabe %1 ist bereits im Zustand &apos;%2&apos;; nur eine wartende oder laufende Aufgabe kann abgebrochen werden.</translation>
    </message>
    <message>
        <source>cancelled by %1</source>
        <translation>abgebrochen von %1</translation>
    </message>
    <message>
        <source>%1 defines no [[jobs]]; add one with a name and a command.</source>
        <translation>%1 definiert keine [[jobs]]; fügen Sie einen mit Name und Befehl hinzu.</translation>
    </message>
    <message>
        <source>There is no job &apos;%1&apos; in %2; the jobs are: %3.</source>
        <translation>In %2 gibt es keinen Job &apos;%1&apos;; die Jobs sind: %3.</translation>
    </message>
    <message>
        <source>none</source>
        <translation>keine</translation>
    </message>
    <message>
        <source>passed</source>
        <translation>bestanden</translation>
    </message>
    <message>
        <source>Modification %1 has no commit yet; its diff exists once it is written.</source>
        <translation>Änderung %1 hat noch keinen Commit; ihr Diff entsteht, sobald sie geschrieben ist.</translation>
    </message>
    <message>
        <source>The job %1 ran without a sandbox (sandbox = &quot;none&quot; in [tests]): it could read and change anything you can.</source>
        <translation>Der Job %1 lief ohne Sandbox (sandbox = &quot;none&quot; in [tests]): Er konnte alles lesen und ändern, was Sie dürfen.</translation>
    </message>
    <message>
        <source>The tests of modification %1 ran without a sandbox (sandbox = &quot;none&quot; in [tests]): they could read and change anything you can. The result is marked unsandboxed.</source>
        <translation>Die Tests der Änderung %1 liefen ohne Sandbox (sandbox = &quot;none&quot; in [tests]): Sie konnten alles lesen und ändern, was Sie dürfen. Das Ergebnis ist als ohne Sandbox markiert.</translation>
    </message>
    <message>
        <source>Cannot run `%1`: %2; nothing was run.</source>
        <translation>`%1` kann nicht laufen: %2; nichts lief.</translation>
    </message>
    <message>
        <source>A scratch folder left by a run that died could not be removed: %1</source>
        <translation>Ein Arbeitsordner, den ein abgebrochener Lauf hinterließ, konnte nicht entfernt werden: %1</translation>
    </message>
    <message>
        <source>Removed the lock file %1, which a process that died had left (no process on this machine had it open).</source>
        <translation>Die Sperrdatei %1 wurde entfernt, die ein abgebrochener Prozess hinterlassen hatte (kein Prozess auf diesem Rechner hatte sie geöffnet).</translation>
    </message>
    <message>
        <source>The lock file %1 blocks git (commits, merges); no process on this machine has it open, so a process that died left it. If no git command is running, remove it: rm &apos;%1&apos;</source>
        <translation>Die Sperrdatei %1 blockiert git (Commits, Zusammenführungen); kein Prozess auf diesem Rechner hat sie geöffnet, also hat ein abgebrochener Prozess sie hinterlassen. Wenn kein git-Befehl läuft, entfernen Sie sie: rm &apos;%1&apos;</translation>
    </message>
    <message>
        <source>%1 now records entry %2, but the database could not record that it does: %3</source>
        <translation>%1 verzeichnet jetzt Eintrag %2, aber die Datenbank konnte das nicht festhalten: %3</translation>
    </message>
    <message>
        <source>Modification %1 and %2 (now at %3) both change %4, so it cannot be merged onto the new head; nothing was tested or changed. Reject it and have the goal worked on again from the new head.</source>
        <translation>Änderung %1 und %2 (jetzt bei %3) ändern beide %4, daher kann sie nicht auf den neuen Kopf gemergt werden; es wurde nichts getestet oder geändert. Lehnen Sie sie ab und lassen Sie das Ziel vom neuen Kopf aus neu bearbeiten.</translation>
    </message>
    <message>
        <source>%1 moved since the review (it was at %2 when modification %3 was approved, it is at %4); nothing was merged. `astra mod retest %3` tests the change on the new head and puts it back for review; approve it again to merge.</source>
        <translation>%1 hat sich seit der Prüfung bewegt (bei der Genehmigung von Änderung %3 stand er bei %2, jetzt bei %4); es wurde nichts gemergt. `astra mod retest %3` testet die Änderung auf dem neuen Kopf und gibt sie zurück zur Prüfung; genehmigen Sie sie erneut, um zu mergen.</translation>
    </message>
    <message>
        <source>The .astra.toml committed on %1 cannot be read, and its [policy] is the one in force: %2</source>
        <translation>Die auf %1 committete .astra.toml kann nicht gelesen werden, und ihre [policy] ist die geltende: %2</translation>
    </message>
    <message>
        <source>The .astra.toml committed on %1 is not valid, and its [policy] is the one in force. Fix it in a commit on %1:
%2</source>
        <translation>Die auf %1 committete .astra.toml ist ungültig, und ihre [policy] ist die geltende. Korrigieren Sie sie in einem Commit auf %1:
%2</translation>
    </message>
    <message>
        <source>The [policy] of %1 differs from the one committed on %2. The committed one is in force: an edit of where the agent may write counts once it is committed on %2.</source>
        <translation>Die [policy] von %1 weicht von der auf %2 committeten ab. Die committete gilt: Eine Änderung daran, wo der Agent schreiben darf, zählt, sobald sie auf %2 committet ist.</translation>
    </message>
    <message>
        <source>%1 is missing from the work tree; the settings are the defaults, and the [policy] committed on %2 is in force.</source>
        <translation>%1 fehlt im Arbeitsverzeichnis; es gelten die Standardeinstellungen und die auf %2 committete [policy].</translation>
    </message>
    <message>
        <source>%1 has no refs/astra/ledger to compare with; `astra ledger anchor --push %1` pushes one.</source>
        <translation>%1 hat keine refs/astra/ledger zum Vergleich; `astra ledger anchor --push %1` überträgt eine.</translation>
    </message>
    <message>
        <source>the anchor pushed to %1 (commit %2) is not among the checkpoints of the local refs/astra/ledger: the local ref was moved back or replaced after it was pushed</source>
        <translation>der nach %1 übertragene Anker (Commit %2) ist keiner der Checkpoints der lokalen refs/astra/ledger: Die lokale Referenz wurde nach der Übertragung zurückgesetzt oder ersetzt</translation>
    </message>
    <message>
        <source>Rejecting or abandoning goal %1 needs a reason: `astra goal %2 %1 --reason TEXT`. The reason is kept with the goal and in the audit ledger.</source>
        <translation>Ablehnen oder Aufgeben von Ziel %1 braucht einen Grund: `astra goal %2 %1 --reason TEXT`. Der Grund wird beim Ziel und im Prüfprotokoll festgehalten.</translation>
    </message>
    <message>
        <source>Goal %1 is executing: its plan&apos;s tasks are at work on it. Wait for its modification, or cancel its tasks (`astra tasks`, `astra task cancel ID`), then import the change.</source>
        <translation>Ziel %1 wird ausgeführt: die Aufgaben seines Plans arbeiten daran. Warten Sie auf seine Änderung oder brechen Sie seine Aufgaben ab (`astra tasks`, `astra task cancel ID`) und importieren Sie dann die Änderung.</translation>
    </message>
    <message>
        <source>Plan %1 of goal %2 has started running; an imported change cannot replace it. Cancel its tasks first (`astra tasks`), then import the change.</source>
        <translation>Plan %1 von Ziel %2 läuft bereits; eine importierte Änderung kann ihn nicht ersetzen. Brechen Sie zuerst seine Aufgaben ab (`astra tasks`) und importieren Sie dann die Änderung.</translation>
    </message>
    <message>
        <source>Modification %1 is &apos;%2&apos;; only one that is untested, awaits approval, failed its tests or is approved can be tested (again). Nothing was done.</source>
        <translation>Änderung %1 ist &apos;%2&apos;; nur eine ungetestete, auf Freigabe wartende, an ihren Tests gescheiterte oder freigegebene Änderung kann (erneut) getestet werden. Es wurde nichts getan.</translation>
    </message>
    <message>
        <source>To reject modification %1, say why: `astra mod reject %1 --reason TEXT`. The reason is kept with the modification and in the audit ledger.</source>
        <translation>Um Änderung %1 abzulehnen, nennen Sie den Grund: `astra mod reject %1 --reason TEXT`. Der Grund wird bei der Änderung und im Prüfprotokoll festgehalten.</translation>
    </message>
    <message>
        <source>To roll back modification %1, say why: `astra mod rollback %1 --reason TEXT`. The reason goes into the revert commit, the reopened goal and the audit ledger.</source>
        <translation>Um Änderung %1 zurückzunehmen, nennen Sie den Grund: `astra mod rollback %1 --reason TEXT`. Der Grund kommt in den Revert-Commit, das wieder geöffnete Ziel und das Prüfprotokoll.</translation>
    </message>
    <message>
        <source>Goal %1 exists for an imported change: it has no plan and no agent works on it. Import a new change for it with `astra propose --goal %1`.</source>
        <translation>Ziel %1 besteht für eine importierte Änderung: es hat keinen Plan, und kein Agent arbeitet daran. Importieren Sie eine neue Änderung dafür mit `astra propose --goal %1`.</translation>
    </message>
    <message>
        <source>No agent is configured ([proposer] kind is &quot;%1&quot;), so nothing can write the change. Set one in .astra.toml, e.g. [proposer] kind = &quot;agent&quot; with agent = &quot;claude&quot;, or kind = &quot;command&quot; with your own command (docs/agents.md).</source>
        <translation>Kein Agent ist eingerichtet ([proposer] kind ist &quot;%1&quot;), also kann nichts die Änderung schreiben. Richten Sie einen in .astra.toml ein, z. B. [proposer] kind = &quot;agent&quot; mit agent = &quot;claude&quot;, oder kind = &quot;command&quot; mit Ihrem eigenen Befehl (docs/agents.md).</translation>
    </message>
    <message>
        <source>No test command is set: set [tests] command in .astra.toml.</source>
        <translation>Kein Testbefehl ist gesetzt: setzen Sie [tests] command in .astra.toml.</translation>
    </message>
    <message>
        <source>Modification %1 is being tested (revision %2); %3 waits until the tests end. Nothing was changed.</source>
        <translation>Modifikation %1 wird gerade getestet (Revision %2); %3 wartet, bis die Tests enden. Nichts wurde geändert.</translation>
    </message>
    <message>
        <source>Modification %1 is &apos;%2&apos;; %3 needs one still under review. Nothing was changed.</source>
        <translation>Modifikation %1 ist „%2“; %3 braucht eine, die noch im Review ist. Nichts wurde geändert.</translation>
    </message>
    <message>
        <source>Modification %1 has no commit yet; %2 needs one.</source>
        <translation>Modifikation %1 hat noch keinen Commit; %2 braucht einen.</translation>
    </message>
    <message>
        <source>Modification %1 has revisions 1 to %2; there is no revision %3.</source>
        <translation>Modifikation %1 hat die Revisionen 1 bis %2; eine Revision %3 gibt es nicht.</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a decision on a hunk; use accepted or rejected.</source>
        <translation>„%1“ ist keine Entscheidung zu einem Hunk; verwenden Sie accepted oder rejected.</translation>
    </message>
    <message>
        <source>deciding on its hunks</source>
        <translation>das Entscheiden über ihre Hunks</translation>
    </message>
    <message>
        <source>Revision %1 of modification %2 does not change %3; `astra mod diff %2` lists what it changes.</source>
        <translation>Revision %1 von Modifikation %2 ändert %3 nicht; `astra mod diff %2` zeigt, was sie ändert.</translation>
    </message>
    <message>
        <source>%1 has no hunks in revision %2 of modification %3 (a binary, over-size or mode-only change): decide on the whole file.</source>
        <translation>%1 hat in Revision %2 von Modifikation %3 keine Hunks (binär, übergroß oder nur der Modus): entscheiden Sie über die ganze Datei.</translation>
    </message>
    <message>
        <source>%1 has hunks 1 to %2 in revision %3 of modification %4; there is no hunk %5.</source>
        <translation>%1 hat in Revision %3 von Modifikation %4 die Hunks 1 bis %2; einen Hunk %5 gibt es nicht.</translation>
    </message>
    <message>
        <source>applying decisions</source>
        <translation>das Anwenden von Entscheidungen</translation>
    </message>
    <message>
        <source>No hunk or file of revision %1 of modification %2 is rejected, so there is nothing to apply. Reject one first (`astra mod reject-hunk %2 FILE HUNK`).</source>
        <translation>Kein Hunk und keine Datei von Revision %1 der Modifikation %2 ist abgelehnt, also gibt es nichts anzuwenden. Lehnen Sie zuerst einen ab (`astra mod reject-hunk %2 DATEI HUNK`).</translation>
    </message>
    <message>
        <source>Every change of revision %1 of modification %2 is rejected; a revision without changes cannot be made. Reject the modification instead.</source>
        <translation>Jede Änderung von Revision %1 der Modifikation %2 ist abgelehnt; eine Revision ohne Änderungen kann es nicht geben. Lehnen Sie stattdessen die Modifikation ab.</translation>
    </message>
    <message>
        <source>restoring rejected hunks</source>
        <translation>das Wiederherstellen abgelehnter Hunks</translation>
    </message>
    <message>
        <source>Revision %1 of modification %2 left nothing out (it was not made from hunk decisions), so there is nothing to restore.</source>
        <translation>Revision %1 von Modifikation %2 hat nichts ausgelassen (sie entstand nicht aus Hunk-Entscheidungen), also gibt es nichts wiederherzustellen.</translation>
    </message>
    <message>
        <source>None of %1 was left out of revision %2 of modification %3; its left-out hunks are listed by `astra mod revisions %3 --json` (meta.rejected).</source>
        <translation>Nichts von %1 wurde in Revision %2 von Modifikation %3 ausgelassen; ihre ausgelassenen Hunks zeigt `astra mod revisions %3 --json` (meta.rejected).</translation>
    </message>
    <message>
        <source>A comment needs words: say what should change and why.</source>
        <translation>Ein Kommentar braucht Worte: sagen Sie, was sich ändern soll und warum.</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a side of the diff; use new (the revision) or old (its base).</source>
        <translation>„%1“ ist keine Seite des Diffs; verwenden Sie new (die Revision) oder old (ihre Basis).</translation>
    </message>
    <message>
        <source>A comment on a line names its file (--file) and a line number from 1.</source>
        <translation>Ein Kommentar zu einer Zeile nennt ihre Datei (--file) und eine Zeilennummer ab 1.</translation>
    </message>
    <message>
        <source>commenting</source>
        <translation>das Kommentieren</translation>
    </message>
    <message>
        <source>%1 is not in %2 of modification %3 (%4); comment on a file the revision has.</source>
        <translation>%1 ist nicht in %2 von Modifikation %3 (%4); kommentieren Sie eine Datei, die die Revision hat.</translation>
    </message>
    <message>
        <source>the base</source>
        <translation>der Basis</translation>
    </message>
    <message>
        <source>revision %1</source>
        <translation>Revision %1</translation>
    </message>
    <message>
        <source>%1 has %2 lines in %3; there is no line %4.</source>
        <translation>%1 hat %2 Zeilen in %3; eine Zeile %4 gibt es nicht.</translation>
    </message>
    <message>
        <source>requesting changes</source>
        <translation>das Anfordern von Änderungen</translation>
    </message>
    <message>
        <source>Revision %1 of modification %2 has no open comments and no rejected hunks, so there is nothing to send to the agent. Comment first (`astra mod comment %2 TEXT`).</source>
        <translation>Revision %1 von Modifikation %2 hat keine offenen Kommentare und keine abgelehnten Hunks, also gibt es nichts an den Agenten zu senden. Kommentieren Sie zuerst (`astra mod comment %2 TEXT`).</translation>
    </message>
    <message>
        <source>The agent of modification %1 ran without a sandbox (sandbox = &quot;none&quot; in [proposer]): it could read and change anything you can.</source>
        <translation>Der Agent von Modifikation %1 lief ohne Sandbox (sandbox = &quot;none&quot; in [proposer]): er konnte alles lesen und ändern, was Sie können.</translation>
    </message>
    <message>
        <source>updating it</source>
        <translation>das Aktualisieren</translation>
    </message>
    <message>
        <source>Modification %1 is already on the head of %2 (%3); there is nothing to update.</source>
        <translation>Modifikation %1 liegt schon auf dem Kopf von %2 (%3); es gibt nichts zu aktualisieren.</translation>
    </message>
    <message>
        <source>%1 (now at %2) already has every change of modification %3; an update would be empty. Reject the modification: its work is done.</source>
        <translation>%1 (jetzt bei %2) enthält schon jede Änderung von Modifikation %3; eine Aktualisierung wäre leer. Lehnen Sie die Modifikation ab: ihre Arbeit ist getan.</translation>
    </message>
    <message>
        <source>Revision %1 of modification %2 is not tested: [tests] command is empty in %3. It cannot be approved until it is tested.</source>
        <translation>Revision %1 von Modifikation %2 ist nicht getestet: [tests] command ist in %3 leer. Sie kann erst nach einem Test genehmigt werden.</translation>
    </message>
    <message>
        <source>Revision %1 of modification %2 was made but could not be tested: %3</source>
        <translation>Revision %1 von Modifikation %2 wurde erstellt, konnte aber nicht getestet werden: %3</translation>
    </message>
    <message>
        <source>A comment is at most 64 KiB (this one has %1 characters): it goes into the agent&apos;s prompt. Say it shorter, or point to a file.</source>
        <translation>Ein Kommentar hat höchstens 64 KiB (dieser hat %1 Zeichen): er geht in den Prompt des Agenten. Fassen Sie sich kürzer, oder verweisen Sie auf eine Datei.</translation>
    </message>
    <message>
        <source>Modification %1 was changed by someone else while revision %2 was being made (it is at revision %3 now); nothing was written. Look at it again.</source>
        <translation>Modifikation %1 wurde von jemand anderem geändert, während Revision %2 entstand (sie steht jetzt bei Revision %3); nichts wurde geschrieben. Sehen Sie sie sich noch einmal an.</translation>
    </message>
    <message>
        <source>approved it</source>
        <translation>hat sie freigegeben</translation>
    </message>
    <message>
        <source>merged it</source>
        <translation>hat sie zusammengeführt</translation>
    </message>
    <message>
        <source>rejected it</source>
        <translation>hat sie abgelehnt</translation>
    </message>
    <message>
        <source>rolled it back</source>
        <translation>hat sie zurückgenommen</translation>
    </message>
    <message>
        <source>found it in conflict</source>
        <translation>fand sie im Konflikt</translation>
    </message>
    <message>
        <source>changed it (%1)</source>
        <translation>hat sie geändert (%1)</translation>
    </message>
    <message>
        <source> %1 %2 at %3.</source>
        <translation> %1 %2, um %3.</translation>
    </message>
    <message>
        <source>Modification %1 is &apos;%2&apos;; %3.</source>
        <translation>Änderung %1 ist &apos;%2&apos;; %3.</translation>
    </message>
    <message>
        <source> Nothing was done.</source>
        <translation> Es wurde nichts getan.</translation>
    </message>
    <message>
        <source>it was decided while this decision was being carried out</source>
        <translation>über sie wurde entschieden, während diese Entscheidung ausgeführt wurde</translation>
    </message>
    <message>
        <source>Someone else</source>
        <translation>Jemand anderes</translation>
    </message>
    <message>
        <source>%1 is deciding on modification %2 right now: %3 is at %4, which carries it out; nothing was done.</source>
        <translation>%1 entscheidet gerade über Änderung %2: %3 steht auf %4, was sie ausführt; es wurde nichts getan.</translation>
    </message>
    <message>
        <source>%1 approved modification %2 already; [team] required_approvals = %3 asks for approvals by %3 different people. Nothing was done.</source>
        <translation>%1 hat Änderung %2 bereits freigegeben; [team] required_approvals = %3 verlangt Freigaben von %3 verschiedenen Personen. Es wurde nichts getan.</translation>
    </message>
    <message>
        <source>created its goal %1</source>
        <translation>hat ihr Ziel %1 angelegt</translation>
    </message>
    <message>
        <source>imported it</source>
        <translation>hat sie importiert</translation>
    </message>
    <message>
        <source>%1 %2, so %1 cannot approve modification %3: [team] separate_duties = true in .astra.toml asks for someone else. Ask another reviewer (`astra mod assign %3 PERSON`). Nothing was done.</source>
        <translation>%1 %2, deshalb kann %1 Änderung %3 nicht freigeben: [team] separate_duties = true in .astra.toml verlangt jemand anderen. Bitten Sie eine andere Person um Prüfung (`astra mod assign %3 PERSON`). Es wurde nichts getan.</translation>
    </message>
    <message>
        <source>Modification %1 changed while this decision was being made:%2 Nothing was done.</source>
        <translation>Änderung %1 änderte sich, während diese Entscheidung getroffen wurde:%2 Es wurde nichts getan.</translation>
    </message>
    <message>
        <source>only a modification whose tests passed (&apos;awaiting_approval&apos;) can be approved</source>
        <translation>nur eine Änderung, deren Tests bestanden wurden (&apos;awaiting_approval&apos;), kann freigegeben werden</translation>
    </message>
    <message>
        <source>it can no longer be rejected</source>
        <translation>sie kann nicht mehr abgelehnt werden</translation>
    </message>
    <message>
        <source>only an approved modification can be merged (`astra mod approve %1` after its tests passed)</source>
        <translation>nur eine freigegebene Änderung kann zusammengeführt werden (`astra mod approve %1`, nachdem ihre Tests bestanden wurden)</translation>
    </message>
    <message>
        <source>Modification %1 has %2 of the %3 approvals [team] required_approvals in .astra.toml asks for (%4); nothing was merged. Another person approves it with `astra mod approve %1`.</source>
        <translation>Änderung %1 hat %2 der %3 Freigaben, die [team] required_approvals in .astra.toml verlangt (%4); es wurde nichts zusammengeführt. Eine weitere Person gibt sie mit `astra mod approve %1` frei.</translation>
    </message>
    <message>
        <source>nobody</source>
        <translation>niemand</translation>
    </message>
    <message>
        <source>&apos;%1&apos; does not name a person: give an e-mail address (bob@example.org) or a user name, as `astra mod show` lists approvers. Nothing was changed.</source>
        <translation>&apos;%1&apos; benennt keine Person: geben Sie eine E-Mail-Adresse (bob@example.org) oder einen Benutzernamen an, wie `astra mod show` Freigebende auflistet. Es wurde nichts geändert.</translation>
    </message>
    <message>
        <source>Name at least one person to ask for a review.</source>
        <translation>Nennen Sie mindestens eine Person, die um Prüfung gebeten werden soll.</translation>
    </message>
    <message>
        <source>only a merged modification can be rolled back</source>
        <translation>nur eine zusammengeführte Änderung kann zurückgenommen werden</translation>
    </message>
    <message>
        <source>git config astra.database: %1</source>
        <translation>git config astra.database: %1</translation>
    </message>
    <message>
        <source>%1 is not a PostgreSQL URL; a team shares a PostgreSQL database (postgresql://USER@HOST:PORT/DB). An SQLite file serves one machine.</source>
        <translation>%1 ist keine PostgreSQL-URL; ein Team teilt eine PostgreSQL-Datenbank (postgresql://USER@HOST:PORT/DB). Eine SQLite-Datei dient einem Rechner.</translation>
    </message>
    <message>
        <source>This machine cannot run the sandbox agents and tests run in: bubblewrap (bwrap) is missing or does not work here. Install it (on Debian: apt install bubblewrap) and allow unprivileged user namespaces, then start the worker again. Nothing was claimed.</source>
        <translation>Dieser Rechner kann die Sandbox nicht ausführen, in der Agenten und Tests laufen: bubblewrap (bwrap) fehlt oder funktioniert hier nicht. Installieren Sie es (unter Debian: apt install bubblewrap), erlauben Sie unprivilegierte Benutzer-Namensräume und starten Sie den Worker erneut. Es wurde nichts übernommen.</translation>
    </message>
    <message>
        <source>bubblewrap does not work on this machine: this worker runs the tests without a sandbox ([tests] sandbox = &quot;auto&quot;).</source>
        <translation>bubblewrap funktioniert auf diesem Rechner nicht: dieser Worker führt die Tests ohne Sandbox aus ([tests] sandbox = &quot;auto&quot;).</translation>
    </message>
    <message>
        <source>%1 has no branch %2, the target of .astra.toml: this is not the repository the team&apos;s database serves, or it is not up to date. Give --repo the path of that repository on this machine, or work in a clone of it that follows it (`git config astra.remote origin`). Nothing was claimed.</source>
        <translation>%1 hat keinen Zweig %2, das Ziel aus .astra.toml: Das ist nicht das Repository, dem die Datenbank des Teams dient, oder es ist nicht aktuell. Geben Sie --repo den Pfad dieses Repositorys auf diesem Rechner, oder arbeiten Sie in einem Klon, der ihm folgt (`git config astra.remote origin`). Nichts wurde beansprucht.</translation>
    </message>
    <message>
        <source>Modification %1&apos;s commit %2 (branch %3) is not in %4: this is not the repository the team&apos;s database serves. Give --repo the path of that repository on this machine, or work in a clone of it that follows it (`git config astra.remote origin`). Nothing was claimed.</source>
        <translation>Der Commit %2 von Änderung %1 (Zweig %3) ist nicht in %4: Das ist nicht das Repository, dem die Datenbank des Teams dient. Geben Sie --repo den Pfad dieses Repositorys auf diesem Rechner, oder arbeiten Sie in einem Klon, der ihm folgt (`git config astra.remote origin`). Nichts wurde beansprucht.</translation>
    </message>
    <message>
        <source>The commit %1 is not in the team&apos;s repository %2 either: it was written in a repository that does not share it. Nothing was done.</source>
        <translation>Der Commit %1 ist auch nicht im Repository des Teams %2: Er wurde in einem Repository geschrieben, das es nicht teilt. Nichts wurde getan.</translation>
    </message>
    <message>
        <source>What may have been pushed to the team&apos;s repository %1 could not be taken back (%2); the recovery of a workspace opened there removes it.</source>
        <translation>Was möglicherweise in das Repository des Teams %1 übertragen wurde, konnte nicht zurückgenommen werden (%2); die Wiederherstellung eines dort geöffneten Arbeitsbereichs entfernt es.</translation>
    </message>
    <message>
        <source>%1 in %2 is at %3, which is not part of the history of the team&apos;s %1 in %4 (at %5). This clone follows the team&apos;s repository and only ever moves %1 forward to it. Keep those commits on another branch (`git branch mine %1`), then `git reset --keep %5` on %1 and start again. Nothing was changed or claimed.</source>
        <translation>%1 in %2 steht auf %3, das nicht zur Historie von %1 des Teams in %4 (auf %5) gehört. Dieser Klon folgt dem Repository des Teams und bewegt %1 nur vorwärts dorthin. Bewahren Sie diese Commits auf einem anderen Zweig auf (`git branch mine %1`), dann `git reset --keep %5` auf %1, und starten Sie erneut. Nichts wurde geändert oder beansprucht.</translation>
    </message>
    <message>
        <source>This clone follows the team&apos;s repository %1 (git config astra.remote): merge modification %2 in that repository, where the workstations decide, so that the target moves in one place. Nothing was done.</source>
        <translation>Dieser Klon folgt dem Repository des Teams %1 (git config astra.remote): Führen Sie Änderung %2 in jenem Repository zusammen, wo die Arbeitsplätze entscheiden, damit sich das Ziel an einem Ort bewegt. Nichts wurde getan.</translation>
    </message>
    <message>
        <source>This clone follows the team&apos;s repository %1 (git config astra.remote): roll back modification %2 in that repository, where the workstations decide, so that the target moves in one place. Nothing was done.</source>
        <translation>Dieser Klon folgt dem Repository des Teams %1 (git config astra.remote): Nehmen Sie Änderung %2 in jenem Repository zurück, wo die Arbeitsplätze entscheiden, damit sich das Ziel an einem Ort bewegt. Nichts wurde getan.</translation>
    </message>
    <message>
        <source>%1. Nothing was claimed. This clone follows the team&apos;s repository through the remote named by `git config astra.remote` (%2); check that this machine reaches it (`git fetch %2`).</source>
        <translation>%1. Nichts wurde beansprucht. Dieser Klon folgt dem Repository des Teams über das Remote, das `git config astra.remote` nennt (%2); prüfen Sie, ob dieser Rechner es erreicht (`git fetch %2`).</translation>
    </message>
    <message>
        <source>The policy refused the change; nothing was written:
%1</source>
        <translation>Die Regeln haben die Änderung abgelehnt; nichts wurde geschrieben:
%1</translation>
    </message>
    <message>
        <source>Name every file the change is meant to touch after --files.</source>
        <translation>Nennen Sie nach --files jede Datei, die die Änderung berühren soll.</translation>
    </message>
    <message>
        <source>A goal names the files it is about when it is added (`astra goal add TEXT --files PATH...`) or by the detector that found it.</source>
        <translation>Ein Ziel nennt seine Dateien, wenn es angelegt wird (`astra goal add TEXT --files PFAD...`), oder durch den Detektor, der es gefunden hat.</translation>
    </message>
    <message>
        <source>A review comment on a file puts it in the scope of the next revision.</source>
        <translation>Ein Review-Kommentar zu einer Datei nimmt sie in den Umfang der nächsten Revision auf.</translation>
    </message>
</context>
<context>
    <name>astra::WorkspaceChooser</name>
    <message>
        <source>Open a workspace</source>
        <translation>Einen Arbeitsbereich öffnen</translation>
    </message>
    <message>
        <source>Recent workspaces (Enter opens, Delete forgets):</source>
        <translation>Zuletzt benutzte Arbeitsbereiche (Eingabe öffnet, Entf vergisst):</translation>
    </message>
    <message>
        <source>None yet: browse for a folder inside a git repository.</source>
        <translation>Noch keine: wählen Sie einen Ordner in einem Git-Repository.</translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation>&amp;Durchsuchen …</translation>
    </message>
    <message>
        <source>&amp;Forget</source>
        <translation>&amp;Vergessen</translation>
    </message>
    <message>
        <source>Open a git repository</source>
        <translation>Ein Git-Repository öffnen</translation>
    </message>
</context>
<context>
    <name>astra::cli</name>
    <message>
        <source>Astra Review command line</source>
        <translation>Astra-Review-Befehlszeile</translation>
    </message>
    <message>
        <source>Show this help.</source>
        <translation>Diese Hilfe anzeigen.</translation>
    </message>
    <message>
        <source>Print the versions.</source>
        <translation>Die Versionen ausgeben.</translation>
    </message>
    <message>
        <source>The repository.</source>
        <translation>Das Repository.</translation>
    </message>
    <message>
        <source>PATH</source>
        <translation>PATH</translation>
    </message>
    <message>
        <source>The state database URL.</source>
        <translation>Die URL der Zustandsdatenbank.</translation>
    </message>
    <message>
        <source>URL</source>
        <translation>URL</translation>
    </message>
    <message>
        <source>Print one JSON document.</source>
        <translation>Ein einzelnes JSON-Dokument ausgeben.</translation>
    </message>
    <message>
        <source>Only goals in this state.</source>
        <translation>Nur Ziele in diesem Zustand.</translation>
    </message>
    <message>
        <source>STATE</source>
        <translation>STATE</translation>
    </message>
    <message>
        <source>The arguments after the title are files.</source>
        <translation>Die Argumente nach dem Titel sind Dateien.</translation>
    </message>
    <message>
        <source>Why.</source>
        <translation>Begründung.</translation>
    </message>
    <message>
        <source>TEXT</source>
        <translation>TEXT</translation>
    </message>
    <message>
        <source>Archive up to this entry.</source>
        <translation>Bis einschließlich dieses Eintrags archivieren.</translation>
    </message>
    <message>
        <source>SEQ</source>
        <translation>SEQ</translation>
    </message>
    <message>
        <source>Print at most N entries.</source>
        <translation>Höchstens N Einträge ausgeben.</translation>
    </message>
    <message>
        <source>N</source>
        <translation>N</translation>
    </message>
    <message>
        <source>--db needs a URL: a file path, sqlite:///PATH or postgresql://USER@HOST:PORT/DB.</source>
        <translation>--db benötigt eine URL: einen Dateipfad, sqlite:///PATH oder postgresql://USER@HOST:PORT/DB.</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not an astra command.</source>
        <translation>&apos;%1&apos; ist kein astra-Befehl.</translation>
    </message>
    <message>
        <source>Goal %1: %2</source>
        <translation>Ziel %1: %2</translation>
    </message>
    <message>
        <source>  state       %1%2</source>
        <translation>  Zustand     %1%2</translation>
    </message>
    <message>
        <source>  kind        %1</source>
        <translation>  Art         %1</translation>
    </message>
    <message>
        <source>  source      %1, created by %2</source>
        <translation>  Quelle      %1, erstellt von %2</translation>
    </message>
    <message>
        <source>  confidence  %1, priority %2</source>
        <translation>  Konfidenz   %1, Priorität %2</translation>
    </message>
    <message>
        <source>  files       %1</source>
        <translation>  Dateien     %1</translation>
    </message>
    <message>
        <source>  created     %1, updated %2 (version %3)</source>
        <translation>  Erstellt    %1, aktualisiert %2 (Version %3)</translation>
    </message>
    <message>
        <source>goals takes no arguments; filter with --state STATE.</source>
        <translation>goals erwartet keine Argumente; filtern Sie mit --state STATE.</translation>
    </message>
    <message>
        <source>--state %1: not a goal state; use one of %2.</source>
        <translation>--state %1: kein Zielzustand; verwenden Sie einen der Zustände %2.</translation>
    </message>
    <message>
        <source>No goals are &apos;%1&apos;.</source>
        <translation>Keine Ziele im Zustand &apos;%1&apos;.</translation>
    </message>
    <message>
        <source>No goals yet.</source>
        <translation>Noch keine Ziele.</translation>
    </message>
    <message>
        <source>goal needs a subcommand: add, show, approve, reject or abandon.</source>
        <translation>goal benötigt einen Unterbefehl: add, show, approve, reject oder abandon.</translation>
    </message>
    <message>
        <source>goal add needs the goal&apos;s text: astra goal add &quot;TEXT&quot; [--files PATH...].</source>
        <translation>goal add benötigt den Text des Ziels: astra goal add &quot;TEXT&quot; [--files PATH...].</translation>
    </message>
    <message>
        <source>goal add takes one text; put quotes around it, or name files after --files.</source>
        <translation>goal add erwartet genau einen Text; setzen Sie ihn in Anführungszeichen oder geben Sie Dateien nach --files an.</translation>
    </message>
    <message>
        <source>--files needs at least one path.</source>
        <translation>--files benötigt mindestens einen Pfad.</translation>
    </message>
    <message>
        <source>Added goal %1 (%2): %3</source>
        <translation>Ziel %1 hinzugefügt (%2): %3</translation>
    </message>
    <message>
        <source>&apos;goal %1&apos; is not a command; use add, show, approve, reject or abandon.</source>
        <translation>&apos;goal %1&apos; ist kein Befehl; verwenden Sie add, show, approve, reject oder abandon.</translation>
    </message>
    <message>
        <source>goal %1 needs exactly one goal id.</source>
        <translation>goal %1 benötigt genau eine Ziel-ID.</translation>
    </message>
    <message>
        <source>The goal id</source>
        <translation>Die Ziel-ID</translation>
    </message>
    <message>
        <source>Goal %1 is now &apos;%2&apos;.</source>
        <translation>Ziel %1 ist jetzt im Zustand &apos;%2&apos;.</translation>
    </message>
    <message>
        <source>The ledger is intact: %1 entries (%2 archived in %3 segments), head %4.</source>
        <translation>Das Protokoll ist intakt: %1 Einträge (davon %2 archiviert in %3 Segmenten), Kopf %4.</translation>
    </message>
    <message>
        <source>There is no checkpoint in refs/astra/ledger yet; `astra ledger checkpoint` writes one.</source>
        <translation>In refs/astra/ledger gibt es noch keinen Prüfpunkt; `astra ledger checkpoint` schreibt einen.</translation>
    </message>
    <message>
        <source>astra: the ledger is broken at entry %1: %2</source>
        <translation>astra: Das Protokoll ist bei Eintrag %1 beschädigt: %2</translation>
    </message>
    <message>
        <source>ledger export needs exactly one argument: the file to write.</source>
        <translation>ledger export benötigt genau ein Argument: die zu schreibende Datei.</translation>
    </message>
    <message>
        <source>ledger %1 takes no arguments.</source>
        <translation>ledger %1 erwartet keine Argumente.</translation>
    </message>
    <message>
        <source>ledger archive needs --through SEQ: the last entry to archive.</source>
        <translation>ledger archive benötigt --through SEQ: den letzten zu archivierenden Eintrag.</translation>
    </message>
    <message>
        <source>Wrote the ledger to %1</source>
        <translation>Protokoll nach %1 geschrieben</translation>
    </message>
    <message>
        <source>Archived entries %1–%2 to %3</source>
        <translation>Einträge %1–%2 nach %3 archiviert</translation>
    </message>
    <message>
        <source>refs/astra/ledger records entry %1 (commit %2).</source>
        <translation>refs/astra/ledger verzeichnet Eintrag %1 (Commit %2).</translation>
    </message>
    <message>
        <source>init takes no arguments; use --repo PATH to name the repository.</source>
        <translation>init erwartet keine Argumente; geben Sie das Repository mit --repo PATH an.</translation>
    </message>
    <message>
        <source>Wrote %1</source>
        <translation>%1 geschrieben</translation>
    </message>
    <message>
        <source>  no test command found: set [tests] command before running modifications</source>
        <translation>  kein Testbefehl gefunden: Legen Sie [tests] command fest, bevor Änderungen ausgeführt werden</translation>
    </message>
    <message>
        <source>  tests: %1</source>
        <translation>  Tests: %1</translation>
    </message>
    <message>
        <source>Kept %1</source>
        <translation>%1 beibehalten</translation>
    </message>
    <message>
        <source>State: %1 (schema version %2)</source>
        <translation>Zustand: %1 (Schemaversion %2)</translation>
    </message>
    <message>
        <source>status takes no arguments.</source>
        <translation>status erwartet keine Argumente.</translation>
    </message>
    <message>
        <source>Workspace %1 (branch %2, target %3)</source>
        <translation>Arbeitsbereich %1 (Branch %2, Ziel-Branch %3)</translation>
    </message>
    <message>
        <source>detached</source>
        <translation>losgelöst</translation>
    </message>
    <message>
        <source>State     %1 (schema version %2)</source>
        <translation>Zustand   %1 (Schemaversion %2)</translation>
    </message>
    <message>
        <source>Config    %1</source>
        <translation>Konfig    %1</translation>
    </message>
    <message>
        <source>defaults (no .astra.toml)</source>
        <translation>Standardwerte (keine .astra.toml)</translation>
    </message>
    <message>
        <source>Goals</source>
        <translation>Ziele</translation>
    </message>
    <message>
        <source>Modifications awaiting review: %1</source>
        <translation>Änderungen, die auf Prüfung warten: %1</translation>
    </message>
    <message>
        <source>Scheduler: %1 (%2 queued, %3 running)</source>
        <translation>Scheduler: %1 (%2 in der Warteschlange, %3 laufend)</translation>
    </message>
    <message>
        <source>Ledger: %1 entries</source>
        <translation>Protokoll: %1 Einträge</translation>
    </message>
    <message>
        <source>demo needs exactly one argument: the folder to create the demo workspace in.</source>
        <translation>demo benötigt genau ein Argument: den Ordner, in dem der Demo-Arbeitsbereich angelegt werden soll.</translation>
    </message>
    <message>
        <source>Open it with: astra-review --repo %1</source>
        <translation>Öffnen mit: astra-review --repo %1</translation>
    </message>
    <message>
        <source>Run `astra --help` for usage.</source>
        <translation>Führen Sie `astra --help` aus, um Hinweise zur Verwendung zu erhalten.</translation>
    </message>
    <message>
        <source>astra: warning: </source>
        <translation>astra: Warnung: </translation>
    </message>
    <message>
        <source>--%1 does not apply to this command.</source>
        <translation>--%1 gilt nicht für diesen Befehl.</translation>
    </message>
    <message>
        <source>%1 must be a positive number, got &apos;%2&apos;.</source>
        <translation>%1 muss eine positive Zahl sein, erhalten: &apos;%2&apos;.</translation>
    </message>
    <message>
        <source>A unified diff to import.</source>
        <translation>Ein zu importierender Unified Diff.</translation>
    </message>
    <message>
        <source>FILE</source>
        <translation>FILE</translation>
    </message>
    <message>
        <source>A branch to import.</source>
        <translation>Ein zu importierender Branch.</translation>
    </message>
    <message>
        <source>NAME</source>
        <translation>NAME</translation>
    </message>
    <message>
        <source>The goal the change belongs to.</source>
        <translation>Das Ziel, zu dem die Änderung gehört.</translation>
    </message>
    <message>
        <source>ID</source>
        <translation>ID</translation>
    </message>
    <message>
        <source>A title for the change.</source>
        <translation>Ein Titel für die Änderung.</translation>
    </message>
    <message>
        <source>Only what finished more than DAYS ago.</source>
        <translation>Nur, was vor mehr als DAYS Tagen abgeschlossen wurde.</translation>
    </message>
    <message>
        <source>DAYS</source>
        <translation>DAYS</translation>
    </message>
    <message>
        <source>Modification %1: %2</source>
        <translation>Änderung %1: %2</translation>
    </message>
    <message>
        <source>  status   %1</source>
        <translation>  Status   %1</translation>
    </message>
    <message>
        <source>  goal     %1</source>
        <translation>  Ziel     %1</translation>
    </message>
    <message>
        <source>  branch   %1 (%2) on %3 at %4</source>
        <translation>  Branch   %1 (%2) auf %3 ab %4</translation>
    </message>
    <message>
        <source>  merged   %1</source>
        <translation>  Gemergt  %1</translation>
    </message>
    <message>
        <source>  reverted %1</source>
        <translation>  Rücknahme %1</translation>
    </message>
    <message>
        <source>  why      %1</source>
        <translation>  Grund    %1</translation>
    </message>
    <message>
        <source>  files    %1 (+%2 -%3)</source>
        <translation>  Dateien  %1 (+%2 -%3)</translation>
    </message>
    <message>
        <source>  flags    %1</source>
        <translation>  Hinweise %1</translation>
    </message>
    <message>
        <source>  conflicts %1</source>
        <translation>  Konflikte %1</translation>
    </message>
    <message>
        <source>  tests    %1 on %2: %3 passed, %4 failed, %5 skipped (%6)</source>
        <translation>  Tests    %1 auf %2: %3 bestanden, %4 fehlgeschlagen, %5 übersprungen (%6)</translation>
    </message>
    <message>
        <source>--patch %1: cannot read it (%2).</source>
        <translation>--patch %1: Die Datei kann nicht gelesen werden (%2).</translation>
    </message>
    <message numerus="yes">
        <source>Modification %1 on %2: %n file(s), pending tests.</source>
        <translation>
            <numerusform>Änderung %1 auf %2: %n Datei, Tests ausstehend.</numerusform>
            <numerusform>Änderung %1 auf %2: %n Dateien, Tests ausstehend.</numerusform>
        </translation>
    </message>
    <message>
        <source>Flags for the reviewer: %1</source>
        <translation>Hinweise für die Prüfung: %1</translation>
    </message>
    <message>
        <source>--state %1: not a modification status; use one of %2.</source>
        <translation>--state %1: kein Änderungszustand; verwenden Sie einen der Zustände %2.</translation>
    </message>
    <message>
        <source>No modifications.</source>
        <translation>Keine Änderungen.</translation>
    </message>
    <message>
        <source>mod %1 needs exactly one modification id.</source>
        <translation>mod %1 benötigt genau eine Änderungs-ID.</translation>
    </message>
    <message>
        <source>The modification id</source>
        <translation>Die Änderungs-ID</translation>
    </message>
    <message>
        <source>Modification %1 is now &apos;%2&apos;.</source>
        <translation>Änderung %1 ist jetzt im Zustand &apos;%2&apos;.</translation>
    </message>
    <message>
        <source>prune takes no arguments.</source>
        <translation>prune erwartet keine Argumente.</translation>
    </message>
    <message>
        <source>--older-than must be a number of days (0 or more).</source>
        <translation>--older-than muss eine Anzahl von Tagen sein (0 oder mehr).</translation>
    </message>
    <message numerus="yes">
        <source>Deleted %n branch(es).</source>
        <translation>
            <numerusform>%n Branch gelöscht.</numerusform>
            <numerusform>%n Branches gelöscht.</numerusform>
        </translation>
    </message>
    <message>
        <source>Stop the planner after S seconds.</source>
        <translation>Den Planer nach S Sekunden anhalten.</translation>
    </message>
    <message>
        <source>S</source>
        <translation>S</translation>
    </message>
    <message>
        <source>%1: cannot read it (%2).</source>
        <translation>%1: kann nicht gelesen werden (%2).</translation>
    </message>
    <message>
        <source>hddl needs a subcommand: check DOMAIN [PROBLEM] or solve DOMAIN PROBLEM [--timeout S].</source>
        <translation>hddl benötigt einen Unterbefehl: check DOMAIN [PROBLEM] oder solve DOMAIN PROBLEM [--timeout S].</translation>
    </message>
    <message>
        <source>hddl check needs DOMAIN and optionally PROBLEM.</source>
        <translation>hddl check benötigt DOMAIN und optional PROBLEM.</translation>
    </message>
    <message>
        <source>hddl solve needs DOMAIN and PROBLEM.</source>
        <translation>hddl solve benötigt DOMAIN und PROBLEM.</translation>
    </message>
    <message>
        <source>--timeout must be a positive number of seconds.</source>
        <translation>--timeout muss eine positive Anzahl von Sekunden sein.</translation>
    </message>
    <message>
        <source>Domain %1: %2 tasks, %3 methods, %4 actions.</source>
        <translation>Domäne %1: %2 Aufgaben, %3 Methoden, %4 Aktionen.</translation>
    </message>
    <message>
        <source>Problem %1: %2 objects, %3 initial tasks, %4 facts.</source>
        <translation>Problem %1: %2 Objekte, %3 Anfangsaufgaben, %4 Fakten.</translation>
    </message>
    <message>
        <source>astra: no plan found (%1 after %2 expansions in %3 ms).</source>
        <translation>astra: kein Plan gefunden (%1 nach %2 Expansionen in %3 ms).</translation>
    </message>
    <message>
        <source>The search space was exhausted: there is no plan.</source>
        <translation>Der Suchraum wurde ausgeschöpft: Es gibt keinen Plan.</translation>
    </message>
    <message>
        <source>%1 could not be decomposed:</source>
        <translation>%1 konnte nicht zerlegt werden:</translation>
    </message>
    <message numerus="yes">
        <source>The search got furthest after %n action(s), at %1: %2</source>
        <translation>
            <numerusform>Die Suche kam am weitesten nach %n Aktion, bei %1: %2</numerusform>
            <numerusform>Die Suche kam am weitesten nach %n Aktionen, bei %1: %2</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Plan %1 for goal %2: %3 (%4, %n expansion(s), %5 ms)</source>
        <translation>
            <numerusform>Plan %1 für Ziel %2: %3 (%4, %n Expansion, %5 ms)</numerusform>
            <numerusform>Plan %1 für Ziel %2: %3 (%4, %n Expansionen, %5 ms)</numerusform>
        </translation>
    </message>
    <message>
        <source>Approved by %1 at %2</source>
        <translation>Genehmigt von %1 am %2</translation>
    </message>
    <message>
        <source>goal</source>
        <translation>Ziel</translation>
    </message>
    <message>
        <source>Nothing runs until the plan is approved: `astra plan approve %1`.</source>
        <translation>Nichts läuft, bevor der Plan genehmigt ist: `astra plan approve %1`.</translation>
    </message>
    <message>
        <source>tasks takes no arguments; filter with --state STATE.</source>
        <translation>tasks erwartet keine Argumente; filtern Sie mit --state STATE.</translation>
    </message>
    <message>
        <source>--state %1: not a task state; use queued, running, succeeded, failed, cancelled or skipped.</source>
        <translation>--state %1: kein Aufgabenzustand; verwenden Sie queued, running, succeeded, failed, cancelled oder skipped.</translation>
    </message>
    <message>
        <source>No tasks.</source>
        <translation>Keine Aufgaben.</translation>
    </message>
    <message>
        <source>Usage: astra task show|cancel ID</source>
        <translation>Aufruf: astra task show|cancel ID</translation>
    </message>
    <message>
        <source>task</source>
        <translation>Aufgabe</translation>
    </message>
    <message>
        <source>  run %1: attempt %2 %3, %4 ms, %5</source>
        <translation>  Lauf %1: Versuch %2 %3, %4 ms, %5</translation>
    </message>
    <message>
        <source>run takes no arguments; choose a goal with --goal ID.</source>
        <translation>run erwartet keine Argumente; wählen Sie ein Ziel mit --goal ID.</translation>
    </message>
    <message>
        <source>Task %1: %2, %3</source>
        <translation>Aufgabe %1: %2, %3</translation>
    </message>
    <message numerus="yes">
        <source>%n task(s) run: %1 succeeded, %2 failed, %3 retried, %4 cancelled.</source>
        <translation>
            <numerusform>%n Aufgabe ausgeführt: %1 erfolgreich, %2 fehlgeschlagen, %3 wiederholt, %4 abgebrochen.</numerusform>
            <numerusform>%n Aufgaben ausgeführt: %1 erfolgreich, %2 fehlgeschlagen, %3 wiederholt, %4 abgebrochen.</numerusform>
        </translation>
    </message>
    <message>
        <source>detect takes no arguments.</source>
        <translation>detect erwartet keine Argumente.</translation>
    </message>
    <message>
        <source>The detectors found nothing.</source>
        <translation>Die Detektoren haben nichts gefunden.</translation>
    </message>
    <message>
        <source>Proposal %1 from %2 (confidence %3): %4</source>
        <translation>Vorschlag %1 von %2 (Konfidenz %3): %4</translation>
    </message>
    <message>
        <source>  accepted: goal %1 (%2)</source>
        <translation>  angenommen: Ziel %1 (%2)</translation>
    </message>
    <message>
        <source>  refused (%1): %2</source>
        <translation>  abgelehnt (%1): %2</translation>
    </message>
    <message>
        <source>cycle takes no arguments.</source>
        <translation>cycle erwartet keine Argumente.</translation>
    </message>
    <message numerus="yes">
        <source>Jobs: %n run(s).</source>
        <translation>
            <numerusform>Jobs: %n Lauf.</numerusform>
            <numerusform>Jobs: %n Läufe.</numerusform>
        </translation>
    </message>
    <message>
        <source>  %1: %2</source>
        <translation>  %1: %2</translation>
    </message>
    <message numerus="yes">
        <source>Detection: %n proposal(s).</source>
        <translation>
            <numerusform>Erkennung: %n Vorschlag.</numerusform>
            <numerusform>Erkennung: %n Vorschläge.</numerusform>
        </translation>
    </message>
    <message>
        <source>  accepted: %1 (goal %2, %3)</source>
        <translation>  angenommen: %1 (Ziel %2, %3)</translation>
    </message>
    <message>
        <source>  refused (%1): %2: %3</source>
        <translation>  abgelehnt (%1): %2: %3</translation>
    </message>
    <message numerus="yes">
        <source>Planning: %n plan(s).</source>
        <translation>
            <numerusform>Planung: %n Plan.</numerusform>
            <numerusform>Planung: %n Pläne.</numerusform>
        </translation>
    </message>
    <message>
        <source>  goal %1: plan %2 (%3)</source>
        <translation>  Ziel %1: Plan %2 (%3)</translation>
    </message>
    <message numerus="yes">
        <source>Execution: %n task(s) run: %1 succeeded, %2 failed.</source>
        <translation>
            <numerusform>Ausführung: %n Aufgabe ausgeführt: %1 erfolgreich, %2 fehlgeschlagen.</numerusform>
            <numerusform>Ausführung: %n Aufgaben ausgeführt: %1 erfolgreich, %2 fehlgeschlagen.</numerusform>
        </translation>
    </message>
    <message>
        <source>Waiting for a person:</source>
        <translation>Wartet auf einen Menschen:</translation>
    </message>
    <message>
        <source>  goals to approve: %1</source>
        <translation>  zu genehmigende Ziele: %1</translation>
    </message>
    <message>
        <source>none</source>
        <translation>keine</translation>
    </message>
    <message>
        <source>  plans to approve (goals): %1</source>
        <translation>  zu genehmigende Pläne (Ziele): %1</translation>
    </message>
    <message>
        <source>  modifications to review: %1</source>
        <translation>  zu prüfende Änderungen: %1</translation>
    </message>
    <message>
        <source>Usage: astra jobs run [NAME] | astra jobs list</source>
        <translation>Aufruf: astra jobs run [NAME] | astra jobs list</translation>
    </message>
    <message>
        <source>never run</source>
        <translation>nie gelaufen</translation>
    </message>
    <message>
        <source>due</source>
        <translation>fällig</translation>
    </message>
    <message>
        <source>No jobs in %1.</source>
        <translation>Keine Jobs in %1.</translation>
    </message>
    <message>
        <source>Job %1 (run %2): %3 in %4 ms</source>
        <translation>Job %1 (Lauf %2): %3 in %4 ms</translation>
    </message>
    <message>
        <source>Run one turn and stop.</source>
        <translation>Einen Durchlauf ausführen und anhalten.</translation>
    </message>
    <message>
        <source>Seconds between turns.</source>
        <translation>Sekunden zwischen den Durchläufen.</translation>
    </message>
    <message>
        <source>worker takes no arguments.</source>
        <translation>worker erwartet keine Argumente.</translation>
    </message>
    <message>
        <source>--poll must be a whole number of seconds, 1 or more.</source>
        <translation>--poll muss eine ganze Zahl von Sekunden sein, 1 oder mehr.</translation>
    </message>
    <message numerus="yes">
        <source>%1: %n job run(s); proposals %2, plans %3, tasks %4; awaiting review %5.</source>
        <translation>
            <numerusform>%1: %n Joblauf; Vorschläge %2, Pläne %3, Aufgaben %4; wartet auf Prüfung %5.</numerusform>
            <numerusform>%1: %n Jobläufe; Vorschläge %2, Pläne %3, Aufgaben %4; wartet auf Prüfung %5.</numerusform>
        </translation>
    </message>
    <message>
        <source>Only the refused proposals.</source>
        <translation>Nur die abgelehnten Vorschläge.</translation>
    </message>
    <message>
        <source>proposals takes no arguments; use --refused and --limit N.</source>
        <translation>proposals erwartet keine Argumente; verwenden Sie --refused und --limit N.</translation>
    </message>
    <message>
        <source>The generator has decided nothing yet: run `astra detect`.</source>
        <translation>Der Generator hat noch nichts entschieden: führen Sie `astra detect` aus.</translation>
    </message>
    <message>
        <source>Created the demo workspace in %1: %2 commits, %3 job runs, %4 proposals, %5 goals, %6 modifications.</source>
        <translation>Demo-Arbeitsbereich in %1 angelegt: %2 Commits, %3 Jobläufe, %4 Vorschläge, %5 Ziele, %6 Änderungen.</translation>
    </message>
    <message>
        <source>           UNSANDBOXED: ran without isolation (sandbox = &quot;none&quot; in [tests])</source>
        <translation>           OHNE SANDBOX: lief ohne Isolation (sandbox = &quot;none&quot; in [tests])</translation>
    </message>
    <message>
        <source>astra: warning: task %1: %2</source>
        <translation>astra: Warnung: Aufgabe %1: %2</translation>
    </message>
    <message>
        <source>%1 is larger than %2 MiB, the most a command reads; nothing was done with it.</source>
        <translation>%1 ist größer als %2 MiB, das Höchstmaß, das ein Befehl liest; nichts wurde damit getan.</translation>
    </message>
    <message>
        <source>ids and counts are positive numbers, got &apos;%1&apos;.</source>
        <translation>IDs und Anzahlen sind positive Zahlen, erhalten: &apos;%1&apos;.</translation>
    </message>
    <message>
        <source>Also compare with the anchor on this remote.</source>
        <translation>Auch mit dem Anker auf diesem Remote vergleichen.</translation>
    </message>
    <message>
        <source>REMOTE</source>
        <translation>REMOTE</translation>
    </message>
    <message>
        <source>The remote to push the ledger anchor to.</source>
        <translation>Das Remote, zu dem der Protokollanker übertragen wird.</translation>
    </message>
    <message>
        <source>It matches all %1 checkpoints in refs/astra/ledger, the newest at entry %2.</source>
        <translation>Es stimmt mit allen %1 Checkpoints in refs/astra/ledger überein, der neueste bei Eintrag %2.</translation>
    </message>
    <message>
        <source>The anchor pushed to %1 (commit %2) is one of them.</source>
        <translation>Der nach %1 übertragene Anker (Commit %2) ist einer davon.</translation>
    </message>
    <message>
        <source>astra: warning: refs/astra/ledger lags the ledger: its newest checkpoint is entry %1 and the ledger ends at entry %2, so only the database vouches for the entries after %1. `astra ledger checkpoint` records them.</source>
        <translation>astra: Warnung: refs/astra/ledger hinkt dem Protokoll hinterher: Ihr neuester Checkpoint ist Eintrag %1, das Protokoll endet bei Eintrag %2, für die Einträge nach %1 bürgt also nur die Datenbank. `astra ledger checkpoint` verzeichnet sie.</translation>
    </message>
    <message>
        <source>ledger needs a subcommand: verify, show, export, archive, checkpoint or anchor.</source>
        <translation>ledger braucht einen Unterbefehl: verify, show, export, archive, checkpoint oder anchor.</translation>
    </message>
    <message>
        <source>&apos;ledger %1&apos; is not a command; use verify, show, export, archive, checkpoint or anchor.</source>
        <translation>„ledger %1“ ist kein Befehl; verwenden Sie verify, show, export, archive, checkpoint oder anchor.</translation>
    </message>
    <message>
        <source>ledger anchor needs --push REMOTE: a configured remote, a URL or a path.</source>
        <translation>ledger anchor braucht --push REMOTE: ein konfiguriertes Remote, eine URL oder einen Pfad.</translation>
    </message>
    <message>
        <source>Pushed it to %1 as refs/astra/ledger.</source>
        <translation>Als refs/astra/ledger nach %1 übertragen.</translation>
    </message>
    <message>
        <source>mod needs a subcommand: show, retest, approve, reject, merge or rollback.</source>
        <translation>mod braucht einen Unterbefehl: show, retest, approve, reject, merge oder rollback.</translation>
    </message>
    <message>
        <source>Policy    %1 (committed; the one in force)</source>
        <translation>Richtlinie %1 (committet; die geltende)</translation>
    </message>
    <message>
        <source>  (the same refusal of the same evidence as on %1; not recorded again)</source>
        <translation>  (dieselbe Ablehnung derselben Belege wie am %1; nicht erneut verzeichnet)</translation>
    </message>
    <message>
        <source>waiting for its plan&apos;s approval</source>
        <translation>wartet auf die Freigabe seines Plans</translation>
    </message>
    <message numerus="yes">
        <source>; %n task(s) wait for their plan&apos;s approval</source>
        <translation>
            <numerusform>; %n Aufgabe wartet auf die Freigabe ihres Plans</numerusform>
            <numerusform>; %n Aufgaben warten auf die Freigabe ihres Plans</numerusform>
        </translation>
    </message>
    <message>
        <source>Task %1 (%2, plan %3) started, attempt %4…</source>
        <translation>Aufgabe %1 (%2, Plan %3) gestartet, Versuch %4…</translation>
    </message>
    <message>
        <source>Task %1 (%2, plan %3) started…</source>
        <translation>Aufgabe %1 (%2, Plan %3) gestartet…</translation>
    </message>
    <message>
        <source>Testing modification %1 (%2)…</source>
        <translation>Modifikation %1 wird getestet (%2)…</translation>
    </message>
    <message>
        <source>not tested</source>
        <translation>nicht getestet</translation>
    </message>
    <message>
        <source>tests %1 (%2 passed, %3 failed)</source>
        <translation>Tests %1 (%2 bestanden, %3 fehlgeschlagen)</translation>
    </message>
    <message>
        <source>  revision %1 %2  %3 by %4, %5; %6%7</source>
        <translation>  Revision %1 %2  %3 von %4, %5; %6%7</translation>
    </message>
    <message>
        <source>  (current)</source>
        <translation>  (aktuell)</translation>
    </message>
    <message>
        <source>Changes since this revision.</source>
        <translation>Änderungen seit dieser Revision.</translation>
    </message>
    <message>
        <source>REV</source>
        <translation>REV</translation>
    </message>
    <message>
        <source>This revision.</source>
        <translation>Diese Revision.</translation>
    </message>
    <message>
        <source>The file a comment is on.</source>
        <translation>Die Datei eines Kommentars.</translation>
    </message>
    <message>
        <source>The line a comment is on.</source>
        <translation>Die Zeile eines Kommentars.</translation>
    </message>
    <message>
        <source>new (the revision) or old (its base).</source>
        <translation>new (die Revision) oder old (ihre Basis).</translation>
    </message>
    <message>
        <source>SIDE</source>
        <translation>SEITE</translation>
    </message>
    <message>
        <source>&apos;mod %1&apos; is not a command; use show, revisions, retest, approve, reject, merge, rollback, diff, accept-hunk, reject-hunk, clear-hunk, decisions, apply-decisions, restore-hunks, comment, comments, resolve, reopen, request-changes or update.</source>
        <translation>„mod %1“ ist kein Befehl; verwenden Sie show, revisions, retest, approve, reject, merge, rollback, diff, accept-hunk, reject-hunk, clear-hunk, decisions, apply-decisions, restore-hunks, comment, comments, resolve, reopen, request-changes oder update.</translation>
    </message>
    <message>
        <source>  binary file</source>
        <translation>  Binärdatei</translation>
    </message>
    <message>
        <source>  over the size limit: not shown</source>
        <translation>  über der Größengrenze: nicht gezeigt</translation>
    </message>
    <message>
        <source># hunk %1 (%2)%3</source>
        <translation># Hunk %1 (%2)%3</translation>
    </message>
    <message>
        <source>the change</source>
        <translation>die Änderung</translation>
    </message>
    <message>
        <source> (base)</source>
        <translation> (Basis)</translation>
    </message>
    <message>
        <source>resolved by %1</source>
        <translation>erledigt von %1</translation>
    </message>
    <message>
        <source>outdated</source>
        <translation>veraltet</translation>
    </message>
    <message>
        <source>answered by revision %1</source>
        <translation>beantwortet mit Revision %1</translation>
    </message>
    <message>
        <source>#%1 on revision %2, %3 — %4%5</source>
        <translation>#%1 zu Revision %2, %3 — %4%5</translation>
    </message>
    <message>
        <source>--%1 %2: a revision number of modification %3 (1, 2, …)%4.</source>
        <translation>--%1 %2: eine Revisionsnummer von Modifikation %3 (1, 2, …)%4.</translation>
    </message>
    <message>
        <source>, or last</source>
        <translation> oder last</translation>
    </message>
    <message>
        <source>mod %1 needs a comment id (`astra mod comments ID` lists them).</source>
        <translation>mod %1 braucht eine Kommentar-ID (`astra mod comments ID` listet sie).</translation>
    </message>
    <message>
        <source>mod %1 needs a modification id.</source>
        <translation>mod %1 braucht eine Modifikations-ID.</translation>
    </message>
    <message>
        <source>The comment id</source>
        <translation>Die Kommentar-ID</translation>
    </message>
    <message>
        <source>mod %1 needs a modification id, a file and optionally a hunk number (without one, the whole file).</source>
        <translation>mod %1 braucht eine Modifikations-ID, eine Datei und optional eine Hunk-Nummer (ohne sie: die ganze Datei).</translation>
    </message>
    <message>
        <source>The hunk is a number from 1, as `astra mod diff %1` shows it.</source>
        <translation>Der Hunk ist eine Nummer ab 1, wie `astra mod diff %1` sie zeigt.</translation>
    </message>
    <message>
        <source>mod comment needs the comment&apos;s words after the modification id.</source>
        <translation>mod comment braucht den Text des Kommentars nach der Modifikations-ID.</translation>
    </message>
    <message>
        <source>mod %1 takes one id.</source>
        <translation>mod %1 nimmt eine ID.</translation>
    </message>
    <message>
        <source>--line is a line number from 1.</source>
        <translation>--line ist eine Zeilennummer ab 1.</translation>
    </message>
    <message>
        <source>--line needs --file: the file the line is in.</source>
        <translation>--line braucht --file: die Datei, in der die Zeile steht.</translation>
    </message>
    <message>
        <source>Modification %1: revision %2 (%3, %4) is now &apos;%5&apos;.</source>
        <translation>Modifikation %1: Revision %2 (%3, %4) ist jetzt „%5“.</translation>
    </message>
    <message>
        <source>Hunk %1 of %2</source>
        <translation>Hunk %1 von %2</translation>
    </message>
    <message>
        <source>%1: no decision (revision %2).</source>
        <translation>%1: keine Entscheidung (Revision %2).</translation>
    </message>
    <message>
        <source>%1: %2 (revision %3). `astra mod apply-decisions %4` makes the next revision.</source>
        <translation>%1: %2 (Revision %3). `astra mod apply-decisions %4` erstellt die nächste Revision.</translation>
    </message>
    <message>
        <source>No decisions on the current revision.</source>
        <translation>Keine Entscheidungen zur aktuellen Revision.</translation>
    </message>
    <message>
        <source>(whole file)</source>
        <translation>(ganze Datei)</translation>
    </message>
    <message>
        <source>No comments.</source>
        <translation>Keine Kommentare.</translation>
    </message>
    <message>
        <source>Modification %1 conflicts with %2 at %3; nothing was changed. Each file below shows %2&apos;s version (-) against the change&apos;s (+); the conflicts are comments now, and `astra mod request-changes %1` sends them to the agent.</source>
        <translation>Modifikation %1 steht im Konflikt mit %2 bei %3; nichts wurde geändert. Jede Datei unten zeigt die Fassung von %2 (-) gegen die der Änderung (+); die Konflikte sind jetzt Kommentare, und `astra mod request-changes %1` sendet sie an den Agenten.</translation>
    </message>
    <message>
        <source>This plan of the goal.</source>
        <translation>Dieser Plan des Ziels.</translation>
    </message>
    <message>
        <source>In the planner&apos;s symbols.</source>
        <translation>In den Symbolen des Planers.</translation>
    </message>
    <message>
        <source>Write the picture as SVG.</source>
        <translation>Das Bild als SVG schreiben.</translation>
    </message>
    <message>
        <source>Write the graph in Graphviz&apos;s DOT.</source>
        <translation>Den Graphen in Graphviz’ DOT schreiben.</translation>
    </message>
    <message>
        <source>waiting for the plan&apos;s approval</source>
        <translation>wartet auf die Genehmigung des Plans</translation>
    </message>
    <message>
        <source>task %1, %2</source>
        <translation>Aufgabe %1, %2</translation>
    </message>
    <message>
        <source>plan</source>
        <translation>Plan</translation>
    </message>
    <message>
        <source>Plan %1 is not a plan of goal %2, which has none yet.</source>
        <translation>Plan %1 ist kein Plan von Ziel %2, das noch keinen hat.</translation>
    </message>
    <message>
        <source>Plan %1 is not a plan of goal %2; its plans are %3 (`astra plan history %2`).</source>
        <translation>Plan %1 ist kein Plan von Ziel %2; seine Pläne sind %3 (`astra plan history %2`).</translation>
    </message>
    <message>
        <source>Goal %1 has no plan yet; make one with `astra plan %1`.</source>
        <translation>Ziel %1 hat noch keinen Plan; erstellen mit `astra plan %1`.</translation>
    </message>
    <message>
        <source>Plan %1  %2  %3  %4</source>
        <translation>Plan %1  %2  %3  %4</translation>
    </message>
    <message>
        <source>Compare two with `astra plan compare %1 OLDER NEWER` (the newest two without them).</source>
        <translation>Zwei vergleichen mit `astra plan compare %1 ÄLTERER NEUERER` (ohne sie die zwei neuesten).</translation>
    </message>
    <message numerus="yes">
        <source>Goal %1 has %n plan(s); a comparison needs two. Replan it with `astra plan %1`.</source>
        <translation>
            <numerusform>Ziel %1 hat %n Plan; ein Vergleich braucht zwei. Neu planen mit `astra plan %1`.</numerusform>
            <numerusform>Ziel %1 hat %n Pläne; ein Vergleich braucht zwei. Neu planen mit `astra plan %1`.</numerusform>
        </translation>
    </message>
    <message>
        <source>Plan %1 is not a plan of goal %2; see `astra plan history %2`.</source>
        <translation>Plan %1 ist kein Plan von Ziel %2; siehe `astra plan history %2`.</translation>
    </message>
    <message>
        <source>From plan %1 (%2) to plan %3 (%4):</source>
        <translation>Von Plan %1 (%2) zu Plan %3 (%4):</translation>
    </message>
    <message>
        <source>  The same decomposition.</source>
        <translation>  Dieselbe Zerlegung.</translation>
    </message>
    <message>
        <source>plan export needs one of --svg FILE or --dot FILE.</source>
        <translation>plan export braucht --svg DATEI oder --dot DATEI.</translation>
    </message>
    <message>
        <source>Plan %1 of goal %2</source>
        <translation>Plan %1 von Ziel %2</translation>
    </message>
    <message>
        <source>Cannot write %1: %2. Nothing was written; choose a writable path.</source>
        <translation>%1 kann nicht geschrieben werden: %2. Es wurde nichts geschrieben; einen beschreibbaren Pfad wählen.</translation>
    </message>
    <message numerus="yes">
        <source>Wrote plan %1 (%n node(s)) to %2.</source>
        <translation>
            <numerusform>Plan %1 (%n Knoten) nach %2 geschrieben.</numerusform>
            <numerusform>Plan %1 (%n Knoten) nach %2 geschrieben.</numerusform>
        </translation>
    </message>
    <message>
        <source>Usage: astra plan GOAL | astra plan show GOAL [--plan ID] [--symbolic] | astra plan approve GOAL [--reason TEXT] | astra plan history GOAL | astra plan compare GOAL [OLDER NEWER] | astra plan export GOAL --svg FILE|--dot FILE [--plan ID] [--symbolic]</source>
        <translation>Aufruf: astra plan ZIEL | astra plan show ZIEL [--plan ID] [--symbolic] | astra plan approve ZIEL [--reason TEXT] | astra plan history ZIEL | astra plan compare ZIEL [ÄLTERER NEUERER] | astra plan export ZIEL --svg DATEI|--dot DATEI [--plan ID] [--symbolic]</translation>
    </message>
    <message>
        <source>--plan ID goes with plan show and plan export.</source>
        <translation>--plan ID gehört zu plan show und plan export.</translation>
    </message>
    <message>
        <source>--svg and --dot go with plan export.</source>
        <translation>--svg und --dot gehören zu plan export.</translation>
    </message>
    <message>
        <source>Only what you are asked to review.</source>
        <translation>Nur, worum Sie zur Prüfung gebeten wurden.</translation>
    </message>
    <message>
        <source>  approved by %1</source>
        <translation>  freigegeben von %1</translation>
    </message>
    <message>
        <source>  reviewers %1</source>
        <translation>  Prüfende %1</translation>
    </message>
    <message>
        <source>mods takes no arguments; filter with --state STATE or --assigned-to-me.</source>
        <translation>mods nimmt keine Argumente; filtern Sie mit --state STATE oder --assigned-to-me.</translation>
    </message>
    <message>
        <source>mod %1 needs a modification id and at least one person (an e-mail address or a user name).</source>
        <translation>mod %1 braucht eine Änderungsnummer und mindestens eine Person (eine E-Mail-Adresse oder einen Benutzernamen).</translation>
    </message>
    <message>
        <source>Reviewers of modification %1: %2.</source>
        <translation>Prüfende von Änderung %1: %2.</translation>
    </message>
    <message>
        <source>nobody asked</source>
        <translation>niemand gebeten</translation>
    </message>
    <message>
        <source>Approval recorded: modification %1 has %2 of the %3 approvals it needs (%4).</source>
        <translation>Freigabe festgehalten: Änderung %1 hat %2 der %3 Freigaben, die sie braucht (%4).</translation>
    </message>
    <message>
        <source>team takes one command: team init postgresql://USER@HOST:PORT/DB</source>
        <translation>team nimmt einen Befehl: team init postgresql://USER@HOST:PORT/DB</translation>
    </message>
    <message>
        <source>%1 is ready (schema %2, nothing to change).</source>
        <translation>%1 ist bereit (Schema %2, nichts zu ändern).</translation>
    </message>
    <message>
        <source>%1 is ready: schema %2 (it was at %3).</source>
        <translation>%1 ist bereit: Schema %2 (es war bei %3).</translation>
    </message>
    <message>
        <source>Each member and each worker runs this once in their clone of the repository:</source>
        <translation>Jedes Mitglied und jeder Worker führt dies einmal in seinem Klon des Repositorys aus:</translation>
    </message>
    <message>
        <source>The password was left out of that line: keep it in ~/.pgpass (mode 600), which PostgreSQL reads, never in a shared line.</source>
        <translation>Das Passwort wurde aus dieser Zeile weggelassen: bewahren Sie es in ~/.pgpass (Modus 600) auf, das PostgreSQL liest, nie in einer geteilten Zeile.</translation>
    </message>
    <message>
        <source>Then `astra init` in one clone writes .astra.toml (commit it); [team] in it sets the approvals a merge needs. See docs/teams.md.</source>
        <translation>Dann schreibt `astra init` in einem Klon .astra.toml (committen Sie sie); [team] darin legt die Freigaben fest, die ein Merge braucht. Siehe docs/teams.md.</translation>
    </message>
    <message>
        <source>Team      follows the team&apos;s repository through the remote %1 (git config astra.remote)</source>
        <translation>Team      folgt dem Repository des Teams über das Remote %1 (git config astra.remote)</translation>
    </message>
    <message numerus="yes">
        <source>Every way was tried but %n that came back, partway through, to a task already being decomposed in the same state; a plan that needs such a repetition may exist.</source>
        <translation>
            <numerusform>Jeder Weg wurde versucht außer %n, der mitten in einer Zerlegung zu einer Aufgabe zurückkam, die im selben Zustand bereits zerlegt wird; ein Plan, der eine solche Wiederholung braucht, kann existieren.</numerusform>
            <numerusform>Jeder Weg wurde versucht außer %n, die mitten in einer Zerlegung zu einer Aufgabe zurückkamen, die im selben Zustand bereits zerlegt wird; ein Plan, der eine solche Wiederholung braucht, kann existieren.</numerusform>
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
        <translation>Aufruf: astra [--repo PATH] [--db URL] [--json] COMMAND [ARGS]

Prüfen und steuern Sie die Änderungen, die ein Agent an einem Git-Repository vorschlägt.

Befehle:
  init                          .astra.toml schreiben (falls nicht vorhanden) und den Zustand anlegen
  status                        Ziele je Zustand, zu prüfende Änderungen, Scheduler
  goals [--state S]             Ziele auflisten
  team init postgresql://USER@HOST:PORT/DB
                                die geteilte Datenbank eines Teams einrichten und die Zeile ausgeben,
                                die jedes Mitglied und jeder Worker in die Git-Konfiguration seines
                                Klons übernimmt
  goal add TEXT [--files P...]  ein eigenes Ziel hinzufügen
  goal show ID                  ein Ziel anzeigen
  goal approve|reject|abandon ID [--reason TEXT]
                                über ein Ziel entscheiden; der Grund wird im Protokoll festgehalten
  plan GOAL                     das Ziel planen und den Zerlegungsbaum ausgeben
  plan show GOAL [--plan ID] [--symbolic]
                                den aktuellen (oder einen früheren) Plan des Ziels in Worten mit seinen
                                Aufgaben; --symbolic in den Symbolen des Planers
  plan history GOAL             alle Pläne, die das Ziel hatte
  plan compare GOAL [OLDER NEWER]
                                welche Wege sich zwischen zwei Plänen geändert haben, und warum
  plan export GOAL --svg FILE|--dot FILE [--plan ID] [--symbolic]
                                die Zerlegung als Bild (SVG) oder Graphviz-Graph (- für die
                                Standardausgabe)
  plan approve GOAL [--reason TEXT]
                                den Plan genehmigen; vorher läuft nichts
  run [--goal ID]               genehmigte Pläne ausführen, bis ihre Änderungen auf Prüfung warten,
                                dann mit propose importierte Änderungen testen
  jobs list                     die Jobs aus .astra.toml, ihr letztes Ergebnis, ob sie fällig sind
  jobs run [NAME]               die Jobs (oder einen) jetzt ausführen; jeder Lauf wird verzeichnet
  detect                        die Detektoren ausführen; jede Entscheidung über Vorschläge mit Grund ausgeben
  proposals [--refused] [--limit N]
                                die bisherigen Entscheidungen des Generators, neueste zuerst, mit Grund
  cycle                         fällige Jobs, Erkennung, Planung, Ausführung bis zur Prüfung
  worker [--poll S] [--once]    Durchläufe ausführen, bis er angehalten wird (SIGTERM): fällige Jobs,
                                Erkennung alle [generator] interval, genehmigte Pläne
  tasks [--state S]             Aufgaben auflisten
  task show|cancel ID           eine Aufgabe mit ihren Läufen anzeigen oder sie anhalten
  propose --patch FILE | --branch NAME [--goal ID] [--title TEXT] [--files PATH...]
                                die Änderung eines Agenten als Änderung importieren; ihr Umfang
                                sind die genannten Dateien, sonst die ihres Ziels
  mods [--state S] [--assigned-to-me]
                                Änderungen auflisten (die, um deren Prüfung Sie gebeten wurden)
  mod show|approve|reject|merge|rollback ID [--reason TEXT]
                                eine Änderung anzeigen oder über sie entscheiden; merge braucht die
                                Freigaben, die [team] required_approvals verlangt
  mod assign|unassign ID PERSON...
                                Personen (E-Mail-Adresse oder Benutzer) um Prüfung bitten, oder nicht mehr
  mod retest ID                 erneut auf dem jetzigen Kopf des Ziel-Branches testen; zurück zur Prüfung
  mod revisions ID              ihre Revisionen: Commit, Herkunft, Autor, Tests
  mod diff ID [--since REV|last] [--revision REV]
                                die Änderung mit nummerierten Hunks, oder was sich zwischen Revisionen geändert hat
  mod accept-hunk|reject-hunk|clear-hunk ID DATEI [HUNK]
                                über einen Hunk (oder die ganze Datei) der aktuellen Revision entscheiden
  mod decisions ID              die Entscheidungen zur aktuellen Revision
  mod apply-decisions ID        eine neue Revision ohne die abgelehnten Hunks, getestet
  mod restore-hunks ID [KEY...] eine neue Revision mit den ausgelassenen (oder genannten) Hunks
  mod comment ID [--file F [--line L] [--side old]] TEXT
                                eine Zeile, eine Datei oder die ganze Änderung kommentieren
  mod comments ID               die Kommentare, wo sie stehen und ob sie erledigt sind
  mod resolve|reopen KOMMENTAR  einen Kommentar als erledigt markieren oder wieder öffnen
  mod request-changes ID        die offenen Kommentare und abgelehnten Hunks an den Agenten senden;
                                seine Antwort wird die nächste Revision, getestet
  mod update ID                 die Änderung als neue Revision auf den Kopf des Ziels übertragen
  prune [--older-than DAYS]     die Branches abgeschlossener Änderungen löschen
  ledger verify [--anchor REMOTE]
                                die Prüfkette neu berechnen; mit jedem Checkpoint in refs/astra/ledger
                                (und mit dem nach REMOTE übertragenen Anker) vergleichen
  ledger show [--limit N]       die noch in der Tabelle enthaltenen Protokolleinträge ausgeben
  ledger export FILE            alle Einträge als JSON-Zeilen schreiben
  ledger archive --through SEQ  alte Einträge in ein JSONL-Segment verschieben; die Kette wird fortgesetzt
  ledger checkpoint             den Protokollkopf in refs/astra/ledger verzeichnen
  ledger anchor --push REMOTE   Checkpoint schreiben und refs/astra/ledger nach REMOTE übertragen (nur vorwärts)
  hddl check DOMAIN [PROBLEM]   HDDL-Dateien lesen; Fehler nennen Datei, Zeile und Spalte
  hddl solve DOMAIN PROBLEM [--timeout S]
                                planen und den Plan im Format des IPC-HTN-Tracks ausgeben
  demo DIR                      den Demo-Arbeitsbereich in DIR anlegen

Optionen:
  --repo PATH   das Repository (Standard: das Repository, in dem das aktuelle Verzeichnis liegt)
  --db URL      der Zustand: eine Datei, sqlite:///PATH oder postgresql://USER@HOST:PORT/DB
                (Standard: &lt;git dir&gt;/astra/state.db)
  --json        ein einzelnes JSON-Dokument ausgeben
  --version     die Versionen von astra, Qt und libgit2 ausgeben

Exit-Status: 0 Erfolg, 1 der Vorgang ist fehlgeschlagen oder wurde abgelehnt, 2 Aufruffehler.
</translation>
    </message>
    <message>
        <source>read by the plan</source>
        <translation>vom Plan gelesen</translation>
    </message>
    <message>
        <source>--files</source>
        <translation>--files</translation>
    </message>
    <message>
        <source>review comment</source>
        <translation>Review-Kommentar</translation>
    </message>
    <message>
        <source>  scope    not recorded (made before scopes were kept)</source>
        <translation>  Umfang   nicht festgehalten (entstand, bevor Umfänge festgehalten wurden)</translation>
    </message>
    <message>
        <source>  scope    none: goal %1 names no files, so nothing is beyond it</source>
        <translation>  Umfang   keiner: Ziel %1 nennt keine Dateien, also liegt nichts außerhalb</translation>
    </message>
    <message>
        <source>  scope    NO STATED SCOPE: imported without --files, for a goal that names no files</source>
        <translation>  Umfang   KEIN ANGEGEBENER UMFANG: ohne --files importiert, für ein Ziel, das keine Dateien nennt</translation>
    </message>
    <message>
        <source>  scope    %1</source>
        <translation>  Umfang   %1</translation>
    </message>
    <message>
        <source>  beyond   nothing: every changed file is in scope</source>
        <translation>  außerhalb nichts: jede geänderte Datei liegt im Umfang</translation>
    </message>
    <message>
        <source>  BEYOND SCOPE: %1, %2</source>
        <translation>  AUSSERHALB DES UMFANGS: %1, %2</translation>
    </message>
    <message numerus="yes">
        <source>%n file(s)</source>
        <translation>
            <numerusform>%n Datei</numerusform>
            <numerusform>%n Dateien</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n changed line(s)</source>
        <translation>
            <numerusform>%n geänderte Zeile</numerusform>
            <numerusform>%n geänderte Zeilen</numerusform>
        </translation>
    </message>
    <message>
        <source>propose needs exactly one of --patch FILE or --branch NAME; the files the change is meant to touch go after --files.</source>
        <translation>propose braucht genau eines von --patch DATEI oder --branch NAME; die Dateien, die die Änderung berühren soll, stehen nach --files.</translation>
    </message>
</context>
<context>
    <name>astra::git</name>
    <message>
        <source>no detail</source>
        <translation>keine Details</translation>
    </message>
    <message>
        <source>Reading commit %1</source>
        <translation>Lesen von Commit %1</translation>
    </message>
    <message>
        <source>Reading the tree of %1</source>
        <translation>Lesen des Baums von %1</translation>
    </message>
    <message>
        <source>Initialising libgit2</source>
        <translation>libgit2 wird initialisiert</translation>
    </message>
    <message>
        <source>Turning on %1 in libgit2</source>
        <translation>%1 wird in libgit2 eingeschaltet</translation>
    </message>
    <message>
        <source>Listing the conflicts</source>
        <translation>Die Konflikte werden aufgelistet</translation>
    </message>
    <message>
        <source>Applying the change</source>
        <translation>Anwenden der Änderung</translation>
    </message>
    <message>
        <source>%1 is not on the base as the change found it.</source>
        <translation>%1 ist auf der Basis nicht so, wie die Änderung es vorfand.</translation>
    </message>
    <message>
        <source>%1 is already on the base.</source>
        <translation>%1 ist bereits auf der Basis.</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>Run `astra-review --help` for usage.</source>
        <translation>Führen Sie `astra-review --help` aus, um Hinweise zur Verwendung zu erhalten.</translation>
    </message>
    <message>
        <source>The Astra Review workstation.</source>
        <translation>Die Astra-Review-Arbeitsumgebung.</translation>
    </message>
    <message>
        <source>Print the versions.</source>
        <translation>Die Versionen ausgeben.</translation>
    </message>
    <message>
        <source>The repository.</source>
        <translation>Das Repository.</translation>
    </message>
    <message>
        <source>The state database URL.</source>
        <translation>Die URL der Zustandsdatenbank.</translation>
    </message>
    <message>
        <source>Render the view offscreen to a PNG file and exit.</source>
        <translation>Die Ansicht ohne Bildschirmanzeige in eine PNG-Datei rendern und beenden.</translation>
    </message>
    <message>
        <source>unexpected argument &apos;%1&apos;.</source>
        <translation>unerwartetes Argument &apos;%1&apos;.</translation>
    </message>
    <message>
        <source>--view %1: no such view in this version; available: %2.</source>
        <translation>--view %1: Diese Ansicht gibt es in dieser Version nicht; verfügbar: %2.</translation>
    </message>
    <message>
        <source>astra-review: cannot write %1</source>
        <translation>astra-review: %1 kann nicht geschrieben werden</translation>
    </message>
    <message>
        <source>astra-review: the workspace did not load within 60 s</source>
        <translation>astra-review: Der Arbeitsbereich wurde nicht innerhalb von 60 s geladen</translation>
    </message>
    <message>
        <source>The view to show first (with --screenshot, the view to render): status, kanban, plan, review, diff, tasks or ledger.</source>
        <translation>Die zuerst gezeigte Ansicht (mit --screenshot die gerenderte): status, kanban, plan, review, diff, tasks oder ledger.</translation>
    </message>
    <message>
        <source>The palette: system, light or dark (default: as last chosen).</source>
        <translation>Die Farben: system, light oder dark (Vorgabe: wie zuletzt gewählt).</translation>
    </message>
    <message>
        <source>--theme %1: use system, light or dark.</source>
        <translation>--theme %1: verwenden Sie system, light oder dark.</translation>
    </message>
    <message>
        <source>The modification to open in the review and the diff (default, with --view review or diff: the first one waiting for review).</source>
        <translation>Die Änderung, die in Prüfung und Diff geöffnet wird (Vorgabe mit --view review oder diff: die erste, die auf Prüfung wartet).</translation>
    </message>
    <message>
        <source>--modification %1: give a modification&apos;s number (see `astra status`).</source>
        <translation>--modification %1: geben Sie die Nummer einer Änderung an (siehe `astra status`).</translation>
    </message>
    <message>
        <source>The goal to show on the board and in the plan (default: the first one waiting for review).</source>
        <translation>Das Ziel, das auf der Tafel und im Plan gezeigt wird (Vorgabe: das erste, das auf Prüfung wartet).</translation>
    </message>
    <message>
        <source>--goal %1: give a goal&apos;s number (see `astra goals`).</source>
        <translation>--goal %1: die Nummer eines Ziels angeben (siehe `astra goals`).</translation>
    </message>
</context>
</TS>
