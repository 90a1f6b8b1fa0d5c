using System.CommandLine;
using Tracemark.Cli;

// The `tracemark` command. Each subcommand lives in its own file; this is the list of them.
var root = new RootCommand("Tracemark: the platform on which customs, regulators, police, courts, platforms and rights holders fight IP infringement together.");
root.Subcommands.Add(ServeCommand.Create());
root.Subcommands.Add(MigrateCommand.Create());
root.Subcommands.Add(DemoCommand.Create());
root.Subcommands.Add(VerifyCommand.Create());
root.Subcommands.Add(ImportCommand.Create());
root.Subcommands.Add(ScreenCommand.Create());

return await CommandLine.RunAsync(root, args);
