using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace IoSys.Analyzers;

/// <summary>
/// Validates register block declarations (IOSYS006-009): registers inside their block and aligned, bitfields within
/// their register, of a type that holds them and not overlapping, and the declarations partial.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class RegisterDeclarationAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        [Descriptors.RegisterOutOfBlock, Descriptors.RegisterMisaligned, Descriptors.InvalidField, Descriptors.InvalidRegister];

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterSymbolAction(Analyze, SymbolKind.NamedType);
    }

    private static void Analyze(SymbolAnalysisContext context)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        var problems = new List<DeclarationProblem>();
        if (RegisterModelBuilder.FindAttribute(type, RegisterModelBuilder.BlockAttribute) is not null)
        {
            RegisterModelBuilder.ReadBlock(type, problems);
        }
        else if (RegisterModelBuilder.FindAttribute(type, RegisterModelBuilder.RegisterAttribute) is { } register
            && (type.ContainingType is null || RegisterModelBuilder.FindAttribute(type.ContainingType, RegisterModelBuilder.BlockAttribute) is null))
        {
            Location location = register.ApplicationSyntaxReference?.GetSyntax(context.CancellationToken).GetLocation() ?? Location.None;
            problems.Add(new(Descriptors.InvalidRegister, location, [type.Name, "a register must be nested in a [RegisterBlock] struct"]));
        }

        foreach (DeclarationProblem problem in problems)
        {
            context.ReportDiagnostic(Diagnostic.Create(problem.Descriptor, problem.Location ?? Location.None, problem.Args));
        }
    }
}
