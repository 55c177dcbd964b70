using System.Reflection;
using System.Text;

namespace Skymap.Core.Tests.PublicApi;

/// <summary>
/// Snapshot of each package's public API (the PublicApiAnalyzers package is not on our source). A change to the public
/// surface fails this test until the snapshot is regenerated on purpose: <c>SKYMAP_UPDATE_PUBLIC_API=1 dotnet test --filter PublicApi</c>.
/// </summary>
public class PublicApiTests
{
    public static TheoryData<string> Packages => new() { "Skymap.Core", "Skymap.Recos", "Skymap.Transport", "Skymap.Plotting" };

    [Theory]
    [MemberData(nameof(Packages))]
    public void Public_api_matches_the_checked_in_snapshot(string assemblyName)
    {
        var assembly = Assembly.Load(assemblyName);
        var actual = Render(assembly);
        var path = Path.Combine(SourceDir(), $"{assemblyName}.PublicAPI.txt");
        if (Environment.GetEnvironmentVariable("SKYMAP_UPDATE_PUBLIC_API") == "1")
        {
            File.WriteAllText(path, actual);
        }

        Assert.True(File.Exists(path), $"missing snapshot {path}; regenerate with SKYMAP_UPDATE_PUBLIC_API=1");
        var expected = File.ReadAllText(path).ReplaceLineEndings("\n");
        if (expected != actual)
        {
            var exp = expected.Split('\n').ToHashSet();
            var act = actual.Split('\n').ToHashSet();
            var added = act.Except(exp).Take(20);
            var removed = exp.Except(act).Take(20);
            Assert.Fail($"public API of {assemblyName} changed.\n+ {string.Join("\n+ ", added)}\n- {string.Join("\n- ", removed)}");
        }
    }

    internal static string Render(Assembly assembly)
    {
        var sb = new StringBuilder();
        foreach (var type in assembly.GetExportedTypes()
                     .OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            sb.Append(Kind(type)).Append(' ').Append(Name(type));
            if (type.BaseType is { } b && b != typeof(object) && b != typeof(ValueType) && b != typeof(Enum) && !type.IsEnum)
            {
                sb.Append(" : ").Append(Name(b));
            }

            sb.Append('\n');
            const BindingFlags flags = BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
            var members = type.GetMembers(flags)
                .Where(m => m is not MethodInfo { IsSpecialName: true } || m.Name.StartsWith("op_", StringComparison.Ordinal))
                .Where(m => !m.Name.StartsWith('<'))
                .Select(Member)
                .Where(s => s.Length > 0)
                .Order(StringComparer.Ordinal);
            foreach (var m in members)
            {
                sb.Append("  ").Append(m).Append('\n');
            }
        }

        return sb.ToString();
    }

    private static string Kind(Type t) =>
        t.IsEnum ? "enum" : t.IsInterface ? "interface" : t.IsValueType ? "struct" : t.IsAbstract && t.IsSealed ? "static class" : t.IsAbstract ? "abstract class" : t.IsSealed ? "sealed class" : "class";

    private static string Member(MemberInfo m) => m switch
    {
        ConstructorInfo c => $"ctor({Params(c.GetParameters())})",
        MethodInfo mi => $"{(mi.IsStatic ? "static " : "")}{Name(mi.ReturnType)} {mi.Name}{Generic(mi)}({Params(mi.GetParameters())})",
        PropertyInfo p => $"{Name(p.PropertyType)} {p.Name} {{ {(p.GetMethod?.IsPublic == true ? "get; " : "")}{(p.SetMethod?.IsPublic == true ? "set; " : "")}}}",
        FieldInfo f => $"{(f.IsLiteral ? "const " : f.IsStatic ? "static " : "")}{Name(f.FieldType)} {f.Name}",
        EventInfo e => $"event {Name(e.EventHandlerType!)} {e.Name}",
        Type => "",
        _ => m.ToString() ?? "",
    };

    private static string Generic(MethodInfo m) => m.IsGenericMethod ? $"<{string.Join(", ", m.GetGenericArguments().Select(Name))}>" : "";

    private static string Params(ParameterInfo[] ps) => string.Join(", ", ps.Select(p => $"{Name(p.ParameterType)} {p.Name}{(p.HasDefaultValue ? " = " + (p.DefaultValue ?? "null") : "")}"));

    private static string Name(Type t)
    {
        if (t.IsGenericParameter)
        {
            return t.Name;
        }

        if (t.IsArray)
        {
            return Name(t.GetElementType()!) + "[]";
        }

        if (t.IsByRef)
        {
            return "ref " + Name(t.GetElementType()!);
        }

        var name = t.IsNested ? Name(t.DeclaringType!) + "." + t.Name : t.FullName ?? t.Name;
        if (t.IsGenericType)
        {
            var tick = name.IndexOf('`', StringComparison.Ordinal);
            if (tick >= 0)
            {
                name = name[..tick];
            }

            name += "<" + string.Join(", ", t.GetGenericArguments().Select(Name)) + ">";
        }

        return name;
    }

    private static string SourceDir()
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d is not null && !File.Exists(Path.Combine(d.FullName, "Skymap.Core.sln")))
        {
            d = d.Parent;
        }

        return Path.Combine(d?.FullName ?? throw new InvalidOperationException("Skymap.Core.sln not found"), "tests", "Skymap.Core.Tests", "PublicApi");
    }
}
