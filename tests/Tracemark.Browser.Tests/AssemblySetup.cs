[assembly: AssemblyFixture(typeof(Tracemark.Testing.PostgresAssemblyFixture))]
[assembly: AssemblyFixture(typeof(Tracemark.Browser.Tests.Chromium))]

// One browser, one server per class: running classes in parallel on two cores only makes each slower.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
