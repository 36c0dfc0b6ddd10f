"""The usual tutorial app, kept as the benchmark's baseline: a blocking for-loop that trains and,
every 10 epochs, rebuilds three new Plotly figures into st.empty() placeholders.

    streamlit run bench/loop_app.py   (?epochs=1000 sets the number of epochs)
"""

import numpy as np
import plotly.graph_objects as go
import streamlit as st
import torch
from sklearn.datasets import make_blobs
from sklearn.model_selection import train_test_split

st.set_page_config(page_title="Loop app", layout="wide")
st.title("Logistic regression, trained in a loop")
epochs = int(st.query_params.get("epochs", 1000))
X, y = make_blobs(n_samples=[200, 200], cluster_std=1.4, random_state=2)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, stratify=y, random_state=2)
x_train, t_train = torch.tensor(X_train, dtype=torch.float32), torch.tensor(y_train, dtype=torch.float32)
x_test, t_test = torch.tensor(X_test, dtype=torch.float32), torch.tensor(y_test, dtype=torch.float32)

if st.button("Train"):
    torch.manual_seed(2)
    model = torch.nn.Linear(2, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    progress = st.empty()
    loss_chart, scatter_chart, boundary_chart = st.empty(), st.empty(), st.empty()
    train_losses, test_losses = [], []
    xx, yy = np.meshgrid(np.linspace(X[:, 0].min() - 1, X[:, 0].max() + 1, 100),
                         np.linspace(X[:, 1].min() - 1, X[:, 1].max() + 1, 100))
    grid = torch.tensor(np.c_[xx.ravel(), yy.ravel()], dtype=torch.float32)
    for epoch in range(1, epochs + 1):
        optimizer.zero_grad()
        loss = loss_fn(model(x_train).squeeze(1), t_train)
        loss.backward()
        optimizer.step()
        with torch.no_grad():
            test_loss = loss_fn(model(x_test).squeeze(1), t_test)
        train_losses.append(loss.item())
        test_losses.append(test_loss.item())
        if epoch % 10 == 0:
            progress.text(f"Epoch {epoch} / {epochs}")
            fig = go.Figure()
            fig.add_trace(go.Scatter(y=train_losses, name="train loss"))
            fig.add_trace(go.Scatter(y=test_losses, name="test loss"))
            loss_chart.plotly_chart(fig, key=f"loss{epoch}")
            with torch.no_grad():
                predicted = (torch.sigmoid(model(torch.tensor(X, dtype=torch.float32))) > 0.5).squeeze(1).numpy()
                zz = torch.sigmoid(model(grid)).reshape(xx.shape).numpy()
            scatter_chart.plotly_chart(go.Figure(go.Scatter(
                x=X[:, 0], y=X[:, 1], mode="markers", marker={"color": predicted.astype(int)})), key=f"sc{epoch}")
            boundary = go.Figure(go.Contour(x=xx[0], y=yy[:, 0], z=zz, colorscale="RdBu"))
            boundary.add_trace(go.Scatter(x=X[:, 0], y=X[:, 1], mode="markers", marker={"color": y}))
            boundary_chart.plotly_chart(boundary, key=f"bd{epoch}")
    st.success("Done")
