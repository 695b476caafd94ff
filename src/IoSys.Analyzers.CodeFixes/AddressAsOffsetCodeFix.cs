using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using IoSys.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;

namespace IoSys.Analyzers.CodeFixes;

/// <summary>
/// Fixes IOSYS003 (an absolute address passed as an offset): for <c>base + offset</c>, pass just the offset (the seed's
/// bug was the base added twice); for any address, convert it with <c>new IoAddress((nuint)address) - map.Address</c>.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddressAsOffsetCodeFix))]
[Shared]
public sealed class AddressAsOffsetCodeFix : CodeFixProvider
{
    /// <summary>Equivalence key of the fix that keeps only the offset operand.</summary>
    public const string KeepOffsetKey = "IOSYS003.KeepOffset";

    /// <summary>Equivalence key of the fix that subtracts the map's address.</summary>
    public const string SubtractBaseKey = "IOSYS003.SubtractBase";

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = [Descriptors.AddressAsOffset.Id];

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return;
        }

        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not ExpressionSyntax argument
                || !diagnostic.Properties.ContainsKey(MapAccessAnalyzer.HasMap)
                || diagnostic.AdditionalLocations.Count == 0)
            {
                continue;
            }

            if (argument.Parent is ArgumentSyntax { Expression: { } whole })
            {
                argument = whole;
            }

            ExpressionSyntax? map = root.FindNode(diagnostic.AdditionalLocations[0].SourceSpan, getInnermostNodeForTie: true) as ExpressionSyntax;
            if (map is null)
            {
                continue;
            }

            if (diagnostic.Properties.ContainsKey(MapAccessAnalyzer.HasOffsetPart) && diagnostic.AdditionalLocations.Count > 1
                && root.FindNode(diagnostic.AdditionalLocations[1].SourceSpan, getInnermostNodeForTie: true) is ExpressionSyntax offset)
            {
                context.RegisterCodeFix(
                    CodeAction.Create(
                        $"Pass the offset '{offset}' (drop the base address)",
                        ct => Replace(context.Document, root, argument, offset.WithoutTrivia(), ct),
                        KeepOffsetKey),
                    diagnostic);
            }

            // new IoAddress((nuint)(address)) - map.Address: the one way from an address back to an offset.
            ExpressionSyntax converted = SyntaxFactory.ParenthesizedExpression(
                SyntaxFactory.BinaryExpression(
                    SyntaxKind.SubtractExpression,
                    SyntaxFactory.ObjectCreationExpression(SyntaxFactory.ParseTypeName("global::IoSys.IoAddress").WithAdditionalAnnotations(Simplifier.Annotation))
                        .WithArgumentList(SyntaxFactory.ArgumentList(SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Argument(
                            SyntaxFactory.CastExpression(
                                SyntaxFactory.IdentifierName("nuint"),
                                SyntaxFactory.ParenthesizedExpression(argument.WithoutTrivia()).WithAdditionalAnnotations(Simplifier.Annotation)))))),
                    SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, Parenthesize(map.WithoutTrivia()), SyntaxFactory.IdentifierName("Address"))))
                .WithAdditionalAnnotations(Simplifier.Annotation, Formatter.Annotation);
            context.RegisterCodeFix(
                CodeAction.Create(
                    $"Convert the address to an offset from '{map}'",
                    ct => Replace(context.Document, root, argument, converted, ct),
                    SubtractBaseKey),
                diagnostic);
        }
    }

    private static ExpressionSyntax Parenthesize(ExpressionSyntax expression) =>
        expression is IdentifierNameSyntax or MemberAccessExpressionSyntax or InvocationExpressionSyntax or ThisExpressionSyntax or ElementAccessExpressionSyntax
            ? expression
            : SyntaxFactory.ParenthesizedExpression(expression);

    private static async Task<Document> Replace(Document document, SyntaxNode root, ExpressionSyntax old, ExpressionSyntax replacement, CancellationToken cancellationToken)
    {
        Document changed = document.WithSyntaxRoot(root.ReplaceNode(old, replacement.WithTriviaFrom(old)));
        return await Simplifier.ReduceAsync(changed, Simplifier.Annotation, cancellationToken: cancellationToken).ConfigureAwait(false);
    }
}
