[assembly: AssemblyFixture(typeof(Tracemark.Testing.PostgresAssemblyFixture))]
